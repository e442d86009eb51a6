import EventStore
import Foundation
import Logging
import PostgresNIO
import PromoDomain

/// The daily reconciliation of one day (Asia/Shanghai), from the reconciliation read model (views in `rm`):
///
/// 1. `promotion_cost`: for every order paid that day (and every paid order cancelled that day), per campaign
///    and cost kind, what the order recorded it used = what the campaign's budget recorded consumed (released,
///    for a cancellation) = what the journal booked.
/// 2. `refund_promotion`: for every budget given back by a refund that day, per cost kind, the campaign's
///    record = the journal's reversal.
/// 3. `cash`: for every payment, refund and cancellation that day, the amount = what the journal booked to the
///    bank = net revenue booked (with the points liability it moved: points spent pay part of an order, points
///    earned defer part of it): payments − refunds = net revenue.
/// 4. `unbalanced_entry`: every entry of the day has debits equal to credits.
///
/// Each mismatch names the journal entries and the events behind it.
public struct DailyReconciliation: Sendable {
    public struct Mismatch: Sendable {
        public var check: String
        public var message: String
        public var orderId: String?
        public var refundId: String?
        public var campaignId: String?
        public var costKind: String?
        /// The amounts compared, by name (`orderFen`, `budgetFen`, `journalFen`; `cashFen`, `bankFen`,
        /// `revenueFen`; `debitFen`, `creditFen`).
        public var amounts: [(String, Int64)]
        public var entries: [String]
        /// The events behind it: position, type, stream.
        public var events: [(position: Int64, type: String, streamId: String)]
    }

    /// One row of the management view: a campaign's (or no campaign's) cost of one kind that day.
    public struct Cost: Sendable, Equatable {
        public var campaignId: String?
        public var costKind: String
        public var amountFen: Int64
    }

    public var day: String
    public var paymentsFen: Int64
    public var refundsFen: Int64
    public var netRevenueFen: Int64
    public var pointsLiabilityFen: Int64
    public var entries: Int64
    public var costs: [Cost]
    public var mismatches: [Mismatch]

    /// The cost kinds a campaign budget tracks, as columns of the facts.
    static let budgetKinds = """
        (VALUES ('discount', discount_fen), ('coupon_subsidy', coupon_subsidy_fen), ('gift_cost', gift_cost_fen),
                ('points_cost', points_cost_fen))
        """

    /// Runs every check for `day` (`YYYY-MM-DD`).
    public static func run(day: String, client: PostgresClient, logger: Logger) async throws -> DailyReconciliation {
        var mismatches: [Mismatch] = []
        mismatches += try await promotionCosts(day, client, logger)
        mismatches += try await refundPromotions(day, client, logger)
        mismatches += try await cash(day, client, logger)
        mismatches += try await unbalanced(day, client, logger)
        let totals =
            try await client.leasedQuery(
                """
                WITH facts AS (SELECT amount_fen, event_type FROM rm.recon_cash WHERE day = \(day)::date),
                booked AS (
                    SELECT l.account, l.debit_fen, l.credit_fen FROM rm.journal_entries e
                    JOIN rm.journal_lines l USING (entry_id) WHERE e.day = \(day)::date)
                SELECT (SELECT coalesce(sum(amount_fen) FILTER (WHERE amount_fen > 0), 0) FROM facts)::bigint,
                       (SELECT coalesce(-sum(amount_fen) FILTER (WHERE amount_fen < 0), 0) FROM facts)::bigint,
                       (SELECT coalesce(sum(credit_fen - debit_fen) FILTER (WHERE account LIKE '6001%'), 0) FROM booked)::bigint,
                       (SELECT coalesce(sum(credit_fen - debit_fen) FILTER (WHERE account = '2203'), 0) FROM booked)::bigint,
                       (SELECT count(*) FROM rm.journal_entries WHERE day = \(day)::date)
                """, logger: logger
            ) { rows in
                var result: [(Int64, Int64, Int64, Int64, Int64)] = []
                for try await row in rows.decode((Int64, Int64, Int64, Int64, Int64).self) { result.append(row) }
                return result
            }.first ?? (Int64(0), Int64(0), Int64(0), Int64(0), Int64(0))
        let costs = try await client.leasedQuery(
            """
            SELECT l.campaign_id, l.cost_kind, sum(l.debit_fen - l.credit_fen)::bigint
            FROM rm.journal_entries e JOIN rm.journal_lines l USING (entry_id)
            WHERE e.day = \(day)::date AND l.cost_kind IS NOT NULL
            GROUP BY 1, 2 ORDER BY 1 NULLS LAST, 2
            """, logger: logger
        ) { rows in
            var result: [Cost] = []
            for try await (campaign, kind, amount) in rows.decode((String?, String, Int64).self) {
                result.append(Cost(campaignId: campaign, costKind: kind, amountFen: amount))
            }
            return result
        }
        return DailyReconciliation(
            day: day, paymentsFen: totals.0, refundsFen: totals.1, netRevenueFen: totals.2,
            pointsLiabilityFen: totals.3, entries: totals.4, costs: costs, mismatches: mismatches)
    }

    /// Rows of (check-specific text columns, amounts, entries, events as JSON text), turned into mismatches.
    private static func mismatches(
        _ query: PostgresQuery, check: String, amountNames: [String], client: PostgresClient, logger: Logger,
        message: @escaping @Sendable (Mismatch) -> String
    ) async throws -> [Mismatch] {
        try await client.leasedQuery(query, logger: logger) { rows in
            var result: [Mismatch] = []
            for try await (order, refund, campaign, kind, a, b, c, entries, events) in rows.decode(
                (String?, String?, String?, String?, Int64, Int64, Int64, [String], String).self)
            {
                var parsed: [(position: Int64, type: String, streamId: String)] = []
                if case .array(let items) = try JSONValue(parsing: Array(events.utf8)) {
                    for item in items {
                        guard let position = item["position"]?.intValue, let type = item["type"]?.stringValue,
                            let stream = item["streamId"]?.stringValue
                        else { continue }
                        parsed.append((position, type, stream))
                    }
                }
                parsed.sort { $0.position < $1.position }
                var mismatch = Mismatch(
                    check: check, message: "", orderId: order, refundId: refund, campaignId: campaign, costKind: kind,
                    amounts: Array(zip(amountNames, [a, b, c])), entries: entries.sorted(), events: parsed)
                mismatch.message = message(mismatch)
                result.append(mismatch)
            }
            return result
        }
    }

    /// An event reference as JSON, in SQL.
    static func event(_ position: String, _ type: String, _ stream: String) -> String {
        "jsonb_build_object('position', \(position), 'type', \(type), 'streamId', \(stream))"
    }

    private static func promotionCosts(_ day: String, _ client: PostgresClient, _ logger: Logger) async throws
        -> [Mismatch]
    {
        let query: PostgresQuery = """
            WITH settled AS (
                SELECT c.order_id, c.position, c.event_type, c.stream_id,
                       CASE WHEN c.event_type = 'OrderPaid' THEN 'pay:' ELSE 'cancel:' END || c.order_id AS entry_id,
                       CASE WHEN c.event_type = 'OrderPaid' THEN 1 ELSE -1 END AS sign
                FROM rm.recon_cash c
                WHERE c.day = \(day)::date AND c.event_type IN ('OrderPaid', 'OrderCancelled')),
            ordered AS (
                SELECT s.entry_id, u.campaign_id, k.kind, k.fen
                FROM settled s JOIN rm.recon_order_uses u USING (order_id)
                CROSS JOIN LATERAL (VALUES ('discount', u.discount_fen), ('coupon_subsidy', u.coupon_subsidy_fen),
                                           ('gift_cost', u.gift_cost_fen), ('points_cost', u.points_cost_fen)) k(kind, fen)),
            budgeted AS (
                SELECT s.entry_id, b.campaign_id, k.kind, sum(k.fen)::bigint AS fen,
                       jsonb_agg(DISTINCT \(unescaped: event("b.position", "b.event_type", "b.stream_id"))) AS events
                FROM settled s JOIN rm.recon_budget b ON b.order_id = s.order_id AND b.refund_id IS NULL AND b.sign = s.sign
                CROSS JOIN LATERAL (VALUES ('discount', b.discount_fen), ('coupon_subsidy', b.coupon_subsidy_fen),
                                           ('gift_cost', b.gift_cost_fen), ('points_cost', b.points_cost_fen)) k(kind, fen)
                GROUP BY 1, 2, 3),
            booked AS (
                SELECT s.entry_id, l.campaign_id, l.cost_kind AS kind,
                       sum(s.sign * (l.debit_fen - l.credit_fen))::bigint AS fen
                FROM settled s JOIN rm.journal_lines l USING (entry_id)
                WHERE l.campaign_id IS NOT NULL AND l.cost_kind IN ('discount', 'coupon_subsidy', 'gift_cost', 'points_cost')
                GROUP BY 1, 2, 3),
            compared AS (
                SELECT entry_id, campaign_id, kind, coalesce(o.fen, 0) AS ordered, coalesce(b.fen, 0) AS budgeted,
                       coalesce(j.fen, 0) AS booked, coalesce(b.events, '[]'::jsonb) AS budget_events
                FROM ordered o FULL JOIN budgeted b USING (entry_id, campaign_id, kind)
                FULL JOIN booked j USING (entry_id, campaign_id, kind))
            SELECT s.order_id, NULL::text, c.campaign_id, c.kind, c.ordered, c.budgeted, c.booked, ARRAY[c.entry_id],
                   (c.budget_events
                    || jsonb_build_array(\(unescaped: event("o.placed_position", "'OrderPlaced'", "'order-' || s.order_id")),
                                         \(unescaped: event("s.position", "s.event_type", "s.stream_id")))
                    || coalesce((SELECT jsonb_agg(\(unescaped: event("e.position", "e.event_type", "e.stream_id")))
                                 FROM rm.journal_entries e WHERE e.entry_id = c.entry_id), '[]'::jsonb))::text
            FROM compared c JOIN settled s USING (entry_id) JOIN rm.recon_orders o ON o.order_id = s.order_id
            WHERE NOT (c.ordered = c.budgeted AND c.budgeted = c.booked)
            ORDER BY s.position, c.campaign_id, c.kind
            """
        return try await mismatches(
            query, check: "promotion_cost", amountNames: ["orderFen", "budgetFen", "journalFen"], client: client,
            logger: logger
        ) { mismatch in
            let amounts = Dictionary(uniqueKeysWithValues: mismatch.amounts)
            return "order \(mismatch.orderId ?? "?"), campaign \(mismatch.campaignId ?? "?"), "
                + "\(mismatch.costKind ?? "?"): the order recorded \(amounts["orderFen"] ?? 0), the budget "
                + "\(amounts["budgetFen"] ?? 0), the journal booked \(amounts["journalFen"] ?? 0)"
        }
    }

    private static func refundPromotions(_ day: String, _ client: PostgresClient, _ logger: Logger) async throws
        -> [Mismatch]
    {
        let query: PostgresQuery = """
            WITH given AS (
                SELECT b.*, k.kind, k.fen FROM rm.recon_budget b
                CROSS JOIN LATERAL (VALUES ('discount', b.discount_fen), ('coupon_subsidy', b.coupon_subsidy_fen),
                                           ('gift_cost', b.gift_cost_fen)) k(kind, fen)
                WHERE b.day = \(day)::date AND b.refund_id IS NOT NULL),
            booked AS (
                SELECT g.position, g.kind, e.entry_id, coalesce(sum(l.credit_fen - l.debit_fen), 0)::bigint AS fen
                FROM given g LEFT JOIN rm.journal_entries e ON e.position = g.position AND e.kind = 'refund_promotion'
                LEFT JOIN rm.journal_lines l ON l.entry_id = e.entry_id AND l.cost_kind = g.kind
                GROUP BY 1, 2, 3)
            SELECT g.order_id, g.refund_id, g.campaign_id, g.kind, g.fen, j.fen, g.fen - j.fen,
                   CASE WHEN j.entry_id IS NULL THEN '{}'::text[] ELSE ARRAY[j.entry_id] END,
                   jsonb_build_array(\(unescaped: event("g.position", "g.event_type", "g.stream_id")))::text
            FROM given g JOIN booked j USING (position, kind)
            WHERE g.fen <> j.fen
            ORDER BY g.position, g.kind
            """
        return try await mismatches(
            query, check: "refund_promotion", amountNames: ["budgetFen", "journalFen", "differenceFen"],
            client: client, logger: logger
        ) { mismatch in
            let amounts = Dictionary(uniqueKeysWithValues: mismatch.amounts)
            return "refund \(mismatch.refundId ?? "?") of order \(mismatch.orderId ?? "?"), campaign "
                + "\(mismatch.campaignId ?? "?"), \(mismatch.costKind ?? "?"): the budget got back "
                + "\(amounts["budgetFen"] ?? 0), the journal reversed \(amounts["journalFen"] ?? 0)"
        }
    }

    private static func cash(_ day: String, _ client: PostgresClient, _ logger: Logger) async throws -> [Mismatch] {
        let query: PostgresQuery = """
            WITH facts AS (
                SELECT position, event_type, stream_id, order_id, refund_id, amount_fen FROM rm.recon_cash
                WHERE day = \(day)::date),
            booked AS (
                SELECT e.position, e.entry_id, e.order_id, e.refund_id, e.event_type, e.stream_id,
                       coalesce(sum(l.debit_fen - l.credit_fen) FILTER (WHERE l.account = '1002'), 0)::bigint AS bank,
                       coalesce(sum(l.credit_fen - l.debit_fen)
                                FILTER (WHERE l.account LIKE '6001%' OR l.account = '2203'), 0)::bigint AS revenue
                FROM rm.journal_entries e LEFT JOIN rm.journal_lines l USING (entry_id)
                WHERE e.day = \(day)::date AND e.kind IN ('payment', 'cancellation', 'refund')
                GROUP BY 1, 2, 3, 4, 5, 6)
            SELECT coalesce(f.order_id, b.order_id), coalesce(f.refund_id, b.refund_id), NULL::text, NULL::text,
                   coalesce(f.amount_fen, 0), coalesce(b.bank, 0), coalesce(b.revenue, 0),
                   CASE WHEN b.entry_id IS NULL THEN '{}'::text[] ELSE ARRAY[b.entry_id] END,
                   jsonb_build_array(\(unescaped: event("position", "coalesce(f.event_type, b.event_type)", "coalesce(f.stream_id, b.stream_id)")))::text
            FROM facts f FULL JOIN booked b USING (position)
            WHERE coalesce(f.amount_fen, 0) <> coalesce(b.bank, 0) OR coalesce(f.amount_fen, 0) <> coalesce(b.revenue, 0)
            ORDER BY position
            """
        return try await mismatches(
            query, check: "cash", amountNames: ["cashFen", "bankFen", "revenueFen"], client: client, logger: logger
        ) { mismatch in
            let amounts = Dictionary(uniqueKeysWithValues: mismatch.amounts)
            return "order \(mismatch.orderId ?? "?")\(mismatch.refundId.map { " refund \($0)" } ?? ""): "
                + "\(amounts["cashFen"] ?? 0) paid (+) or paid back (−), the journal booked "
                + "\(amounts["bankFen"] ?? 0) to the bank and \(amounts["revenueFen"] ?? 0) to revenue"
        }
    }

    private static func unbalanced(_ day: String, _ client: PostgresClient, _ logger: Logger) async throws
        -> [Mismatch]
    {
        let query: PostgresQuery = """
            SELECT e.order_id, e.refund_id, e.campaign_id, NULL::text, coalesce(sum(l.debit_fen), 0)::bigint,
                   coalesce(sum(l.credit_fen), 0)::bigint, coalesce(sum(l.debit_fen - l.credit_fen), 0)::bigint,
                   ARRAY[e.entry_id],
                   jsonb_build_array(\(unescaped: event("e.position", "e.event_type", "e.stream_id")))::text
            FROM rm.journal_entries e LEFT JOIN rm.journal_lines l USING (entry_id)
            WHERE e.day = \(day)::date
            GROUP BY e.entry_id, e.order_id, e.refund_id, e.campaign_id, e.position, e.event_type, e.stream_id
            HAVING coalesce(sum(l.debit_fen), 0) <> coalesce(sum(l.credit_fen), 0)
            ORDER BY e.position
            """
        return try await mismatches(
            query, check: "unbalanced_entry", amountNames: ["debitFen", "creditFen", "differenceFen"], client: client,
            logger: logger
        ) { mismatch in
            let amounts = Dictionary(uniqueKeysWithValues: mismatch.amounts)
            return "entry \(mismatch.entries.first ?? "?"): debits \(amounts["debitFen"] ?? 0) ≠ credits "
                + "\(amounts["creditFen"] ?? 0)"
        }
    }
}
