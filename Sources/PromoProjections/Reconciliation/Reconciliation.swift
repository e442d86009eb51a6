import EventStore
import Foundation
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoDomain

/// The reconciliation read model: the journal (`journal_entries`, `journal_lines`) and the facts it is checked
/// against (`recon_orders`, `recon_order_uses`, `recon_budget`, `recon_cash`). A payment is booked from the
/// order as placed, so a batch loads the orders its payments and cancellations need, books in event order,
/// and writes each table with one statement.
///
/// The entries (amounts in fen; 1 point = 1 fen, the default redemption rate of 100 points per yuan):
/// - payment (`pay:{order}`): Dr bank (paid) + Dr points liability (points the order spent) + Dr price
///   reductions (each campaign's discount and coupon subsidy, and coupons of no campaign) = Cr sales (paid +
///   all reductions); Dr gift expense = Cr inventory per campaign (gift cost); Dr points deferred = Cr points
///   liability (points earned on the amount paid, and each campaign's rebate points).
/// - cancellation of a paid order (`cancel:{order}`): the payment entry reversed.
/// - refund (`refund:{order}:{refund}`): Dr sales returns = Cr bank (paid back); Dr sales returns = Cr points
///   liability (spent points given back); Dr points liability = Cr points deferred (earned points taken back).
/// - a refund's budget given back (`refundpromo:{position}`): Dr sales returns = Cr price reductions (discount,
///   coupon subsidy) and Dr inventory = Cr gift expense, per campaign: the returned units' gross price leaves
///   revenue while the reductions on them leave with it.
/// - campaign expense (`expense:{position}`): Dr promotion expense (ads, print, push, other) = Cr payables.
/// - points expired (`expiry:{position}`): Dr points liability = Cr points expired (revenue).
public struct Reconciliation: ProjectionHandler {
    public static let name = "reconciliation"

    public init() {}

    struct Placed: Decodable {
        struct Quote: Decodable {
            var pointsDeductionFen: Int64?
        }
        var orderId: String
        var totalFen: Int64
        var discountFen: Int64
        var pointsToEarn: Int?
        var rebatePoints: Int?
        var quote: Quote?
        var campaigns: [OrderPlaced.CampaignUse]
    }

    /// An order as placed: what its payment books.
    struct Order {
        var id: String
        var total: Int64
        var discount: Int64
        var pointsDeduction: Int64
        var pointsToEarn: Int64
        var rebatePoints: Int64
        var placed: Int64
        var paid: Int64?
        var cancelled: Int64?
        var uses: [OrderPlaced.CampaignUse]
        var isNew = false
    }

    struct Budget {
        var position: Int64, stream: String, type: String, day: String, campaign: String, order: String
        var refund: String?, sign: Int32, discount: Int64, coupon: Int64, gift: Int64, points: Int64
    }

    struct Cash {
        var position: Int64, stream: String, type: String, day: String, order: String, refund: String?, amount: Int64
    }

    public func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        var needed = Set<String>()
        var placedHere = Set<String>()
        for event in events {
            switch event.type {
            case OrderPlaced.eventType:
                placedHere.insert(try event.decodePayload(as: OrderKey.self).orderId)
            case OrderPaid.eventType, OrderCancelled.eventType:
                let id = try event.decodePayload(as: OrderKey.self).orderId
                if !placedHere.contains(id) { needed.insert(id) }
            default:
                continue
            }
        }
        var orders = try await loadOrders(needed, on: connection, logger: logger)
        var touched = Set<String>()
        var budget: [Budget] = []
        var cash: [Cash] = []
        var entries: [JournalEntry] = []
        for event in events {
            let day = BusinessDay.string(from: event.recordedAt)
            func entry(
                _ id: String, _ kind: String, _ description: String, order: String? = nil, refund: String? = nil,
                campaign: String? = nil, _ lines: [JournalLine]
            ) -> JournalEntry {
                JournalEntry(
                    id: id, day: day, kind: kind, orderId: order, refundId: refund, campaignId: campaign,
                    description: description, position: event.position, streamId: event.streamId,
                    eventType: event.type, lines: lines)
            }
            func move<M: BudgetMovement>(_ type: M.Type, sign: Int32, refund: String?) throws -> M {
                let movement = try event.decode(as: M.self)
                budget.append(
                    Budget(
                        position: event.position, stream: event.streamId, type: event.type, day: day,
                        campaign: movement.campaignId, order: movement.orderId, refund: refund, sign: sign,
                        discount: movement.discountFen, coupon: movement.couponSubsidyFen, gift: movement.giftCostFen,
                        points: movement.pointsCostFen))
                return movement
            }
            switch event.type {
            case OrderPlaced.eventType:
                let placed = try event.decodePayload(as: Placed.self)
                orders[placed.orderId] = Order(
                    id: placed.orderId, total: placed.totalFen, discount: placed.discountFen,
                    pointsDeduction: placed.quote?.pointsDeductionFen ?? 0,
                    pointsToEarn: Int64(placed.pointsToEarn ?? 0), rebatePoints: Int64(placed.rebatePoints ?? 0),
                    placed: event.position, paid: nil, cancelled: nil, uses: placed.campaigns, isNew: true)
                touched.insert(placed.orderId)
            case OrderPaid.eventType:
                let paid = try event.decode(as: OrderPaid.self)
                // The money is a fact whatever the journal makes of it: a payment of an order never placed is
                // recorded and, booked nowhere, shows as a cash mismatch.
                cash.append(
                    Cash(
                        position: event.position, stream: event.streamId, type: event.type, day: day,
                        order: paid.orderId, refund: nil, amount: paid.amountFen))
                guard var order = orders[paid.orderId], order.paid == nil else { continue }
                order.paid = event.position
                orders[paid.orderId] = order
                touched.insert(paid.orderId)
                entries.append(
                    entry(
                        "pay:\(paid.orderId)", "payment", "订单 \(paid.orderId) 收款", order: paid.orderId,
                        Self.payment(order, paid: paid.amountFen)))
            case OrderCancelled.eventType:
                let id = try event.decodePayload(as: OrderKey.self).orderId
                guard var order = orders[id], order.cancelled == nil else { continue }
                order.cancelled = event.position
                orders[id] = order
                touched.insert(id)
                // Only a paid order has anything booked to reverse.
                guard order.paid != nil else { continue }
                cash.append(
                    Cash(
                        position: event.position, stream: event.streamId, type: event.type, day: day, order: id,
                        refund: nil, amount: -order.total))
                entries.append(
                    entry(
                        "cancel:\(id)", "cancellation", "已付款订单 \(id) 取消，冲回收款分录", order: id,
                        Self.payment(order, paid: order.total).map(\.reversed)))
            case OrderRefunded.eventType:
                let refund = try event.decode(as: OrderRefunded.self)
                cash.append(
                    Cash(
                        position: event.position, stream: event.streamId, type: event.type, day: day,
                        order: refund.orderId, refund: refund.refundId, amount: -refund.refundFen))
                let returned = Int64(refund.pointsReturned)
                let clawed = Int64(refund.pointsClawedBack)
                entries.append(
                    entry(
                        "refund:\(refund.orderId):\(refund.refundId)", "refund",
                        "订单 \(refund.orderId) 退款 \(refund.refundId)", order: refund.orderId, refund: refund.refundId,
                        [
                            .debit(.salesReturns, refund.refundFen), .credit(.bank, refund.refundFen),
                            .debit(.salesReturns, returned), .credit(.pointsLiability, returned),
                            .debit(.pointsLiability, clawed), .credit(.pointsDeferred, clawed),
                        ]))
            case CampaignBudgetConsumed.eventType:
                _ = try move(CampaignBudgetConsumed.self, sign: 1, refund: nil)
            case CampaignBudgetReleased.eventType:
                _ = try move(CampaignBudgetReleased.self, sign: -1, refund: nil)
            case CampaignBudgetRefunded.eventType:
                let back = try event.decode(as: CampaignBudgetRefunded.self)
                _ = try move(CampaignBudgetRefunded.self, sign: -1, refund: back.refundId)
                let campaign = back.campaignId
                entries.append(
                    entry(
                        "refundpromo:\(event.position)", "refund_promotion",
                        "退款 \(back.refundId) 冲回活动 \(campaign) 的优惠", order: back.orderId, refund: back.refundId,
                        campaign: campaign,
                        [
                            .debit(.salesReturns, back.discountFen),
                            .credit(.priceReductions, back.discountFen, campaign: campaign, kind: .discount),
                            .debit(.salesReturns, back.couponSubsidyFen),
                            .credit(
                                .priceReductions, back.couponSubsidyFen, campaign: campaign, kind: .couponSubsidy),
                            .debit(.inventory, back.giftCostFen),
                            .credit(.giftExpense, back.giftCostFen, campaign: campaign, kind: .giftCost),
                        ]))
            case CampaignExpenseRecorded.eventType:
                let expense = try event.decode(as: CampaignExpenseRecorded.self)
                let kind = CostKind(rawValue: expense.kind) ?? .other
                entries.append(
                    entry(
                        "expense:\(event.position)", "expense", "活动 \(expense.campaignId) 费用：\(expense.note)",
                        campaign: expense.campaignId,
                        [
                            .debit(.promotionExpense, expense.amountFen, campaign: expense.campaignId, kind: kind),
                            .credit(.payables, expense.amountFen),
                        ]))
            case PointsExpired.eventType:
                let expired = try event.decode(as: PointsExpired.self)
                let value = Int64(expired.points)
                entries.append(
                    entry(
                        "expiry:\(event.position)", "points_expiry", "顾客 \(expired.customerId) 积分过期",
                        [.debit(.pointsLiability, value), .credit(.pointsExpired, value)]))
            default:
                continue
            }
        }
        try await write(
            orders: touched.sorted().compactMap { orders[$0] }, budget: budget, cash: cash, entries: entries,
            on: connection, logger: logger)
    }

    /// The payment entry's lines for `order`, paid `paid` (its total).
    static func payment(_ order: Order, paid: Int64) -> [JournalLine] {
        var lines: [JournalLine] = [.debit(.bank, paid), .debit(.pointsLiability, order.pointsDeduction)]
        var reductions: Int64 = 0
        for use in order.uses {
            lines.append(.debit(.priceReductions, use.discountFen, campaign: use.campaignId, kind: .discount))
            lines.append(
                .debit(.priceReductions, use.couponSubsidyFen, campaign: use.campaignId, kind: .couponSubsidy))
            reductions += use.discountFen + use.couponSubsidyFen
        }
        // What the order took off beyond its campaigns and its points: coupons of no campaign.
        lines.append(.debit(.priceReductions, order.discount - order.pointsDeduction - reductions, kind: .coupon))
        lines.append(.credit(.salesGross, paid + order.discount))
        for use in order.uses {
            lines.append(.debit(.giftExpense, use.giftCostFen, campaign: use.campaignId, kind: .giftCost))
            lines.append(.credit(.inventory, use.giftCostFen))
        }
        lines.append(.debit(.pointsDeferred, order.pointsToEarn, kind: .orderPoints))
        lines.append(.credit(.pointsLiability, order.pointsToEarn))
        var rebates: Int64 = 0
        for use in order.uses {
            lines.append(.debit(.pointsDeferred, use.pointsCostFen, campaign: use.campaignId, kind: .pointsCost))
            rebates += use.pointsCostFen
        }
        lines.append(.debit(.pointsDeferred, order.rebatePoints - rebates, kind: .pointsCost))
        lines.append(.credit(.pointsLiability, order.rebatePoints))
        return lines
    }

    private func loadOrders(_ ids: Set<String>, on connection: PostgresConnection, logger: Logger) async throws
        -> [String: Order]
    {
        guard !ids.isEmpty else { return [:] }
        var result: [String: Order] = [:]
        let rows = try await connection.query(
            """
            SELECT order_id, total_fen, discount_fen, points_deduction_fen, points_to_earn, rebate_points,
                   placed_position, paid_position, cancelled_position
            FROM recon_orders WHERE order_id = ANY(\(Array(ids)))
            """, logger: logger)
        for try await (id, total, discount, deduction, earn, rebate, placed, paid, cancelled) in rows.decode(
            (String, Int64, Int64, Int64, Int64, Int64, Int64, Int64?, Int64?).self)
        {
            result[id] = Order(
                id: id, total: total, discount: discount, pointsDeduction: deduction, pointsToEarn: earn,
                rebatePoints: rebate, placed: placed, paid: paid, cancelled: cancelled, uses: [])
        }
        let uses = try await connection.query(
            """
            SELECT order_id, campaign_id, discount_fen, coupon_subsidy_fen, gift_cost_fen, points_cost_fen
            FROM recon_order_uses WHERE order_id = ANY(\(Array(ids))) ORDER BY order_id, campaign_id
            """, logger: logger)
        for try await (id, campaign, discount, coupon, gift, points) in uses.decode(
            (String, String, Int64, Int64, Int64, Int64).self)
        {
            result[id]?.uses.append(
                OrderPlaced.CampaignUse(
                    campaignId: campaign, discountFen: discount, giftCostFen: gift, couponSubsidyFen: coupon,
                    pointsCostFen: points, flashUnits: 0, definitionVersion: 0))
        }
        return result
    }

    private func write(
        orders: [Order], budget: [Budget], cash: [Cash], entries: [JournalEntry], on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let new = orders.filter(\.isNew)
        if !new.isEmpty {
            try await connection.execute(
                """
                INSERT INTO recon_orders (order_id, total_fen, discount_fen, points_deduction_fen, points_to_earn,
                                          rebate_points, placed_position, paid_position, cancelled_position)
                SELECT id, t, d, pd, pe, rp, pl, nullif(pa, -1), nullif(ca, -1)
                FROM unnest(\(new.map(\.id)), \(new.map(\.total)), \(new.map(\.discount)),
                            \(new.map(\.pointsDeduction)), \(new.map(\.pointsToEarn)), \(new.map(\.rebatePoints)),
                            \(new.map(\.placed)), \(new.map { $0.paid ?? -1 }), \(new.map { $0.cancelled ?? -1 }))
                     AS x(id, t, d, pd, pe, rp, pl, pa, ca)
                """, logger: logger)
            // Uses in the order they were recorded; a campaign listed twice is summed.
            var uses: [String: OrderPlaced.CampaignUse] = [:]
            var keys: [(String, String)] = []
            for order in new {
                for use in order.uses {
                    let key = "\(order.id)\u{1}\(use.campaignId)"
                    if var known = uses[key] {
                        known.discountFen += use.discountFen
                        known.couponSubsidyFen += use.couponSubsidyFen
                        known.giftCostFen += use.giftCostFen
                        known.pointsCostFen += use.pointsCostFen
                        uses[key] = known
                    } else {
                        uses[key] = use
                        keys.append((order.id, use.campaignId))
                    }
                }
            }
            let rows = keys.compactMap { key in uses["\(key.0)\u{1}\(key.1)"].map { (key.0, $0) } }
            if !rows.isEmpty {
                try await connection.execute(
                    """
                    INSERT INTO recon_order_uses (order_id, campaign_id, discount_fen, coupon_subsidy_fen, gift_cost_fen,
                                                  points_cost_fen)
                    SELECT * FROM unnest(\(rows.map(\.0)), \(rows.map(\.1.campaignId)), \(rows.map(\.1.discountFen)),
                                         \(rows.map(\.1.couponSubsidyFen)), \(rows.map(\.1.giftCostFen)),
                                         \(rows.map(\.1.pointsCostFen)))
                    """, logger: logger)
            }
        }
        let changed = orders.filter { !$0.isNew }
        if !changed.isEmpty {
            try await connection.execute(
                """
                UPDATE recon_orders o SET paid_position = nullif(x.paid, -1), cancelled_position = nullif(x.cancelled, -1)
                FROM unnest(\(changed.map(\.id)), \(changed.map { $0.paid ?? -1 }), \(changed.map { $0.cancelled ?? -1 }))
                     AS x(id, paid, cancelled)
                WHERE o.order_id = x.id
                """, logger: logger)
        }
        if !budget.isEmpty {
            try await connection.execute(
                """
                INSERT INTO recon_budget (position, stream_id, event_type, day, campaign_id, order_id, refund_id, sign,
                                          discount_fen, coupon_subsidy_fen, gift_cost_fen, points_cost_fen)
                SELECT p, s, t, d::date, c, o, nullif(r, ''), g, dis, cou, gif, poi
                FROM unnest(\(budget.map(\.position)), \(budget.map(\.stream)), \(budget.map(\.type)),
                            \(budget.map(\.day)), \(budget.map(\.campaign)), \(budget.map(\.order)),
                            \(budget.map { $0.refund ?? "" }), \(budget.map(\.sign)), \(budget.map(\.discount)),
                            \(budget.map(\.coupon)), \(budget.map(\.gift)), \(budget.map(\.points)))
                     AS x(p, s, t, d, c, o, r, g, dis, cou, gif, poi)
                """, logger: logger)
        }
        if !cash.isEmpty {
            try await connection.execute(
                """
                INSERT INTO recon_cash (position, stream_id, event_type, day, order_id, refund_id, amount_fen)
                SELECT p, s, t, d::date, o, nullif(r, ''), a
                FROM unnest(\(cash.map(\.position)), \(cash.map(\.stream)), \(cash.map(\.type)), \(cash.map(\.day)),
                            \(cash.map(\.order)), \(cash.map { $0.refund ?? "" }), \(cash.map(\.amount)))
                     AS x(p, s, t, d, o, r, a)
                """, logger: logger)
        }
        // An entry whose amounts are all zero (a refund of gifts only pays nothing back) books nothing.
        let entries = entries.filter { !$0.nonZeroLines.isEmpty }
        guard !entries.isEmpty else { return }
        try await connection.execute(
            """
            INSERT INTO journal_entries (entry_id, day, kind, order_id, refund_id, campaign_id, description, position,
                                         stream_id, event_type)
            SELECT e, d::date, k, nullif(o, ''), nullif(r, ''), nullif(c, ''), x.description, p, s, t
            FROM unnest(\(entries.map(\.id)), \(entries.map(\.day)), \(entries.map(\.kind)),
                        \(entries.map { $0.orderId ?? "" }), \(entries.map { $0.refundId ?? "" }),
                        \(entries.map { $0.campaignId ?? "" }), \(entries.map(\.description)),
                        \(entries.map(\.position)), \(entries.map(\.streamId)), \(entries.map(\.eventType)))
                 AS x(e, d, k, o, r, c, description, p, s, t)
            """, logger: logger)
        var ids: [String] = []
        var numbers: [Int32] = []
        var lines: [JournalLine] = []
        for entry in entries {
            for (index, line) in entry.nonZeroLines.enumerated() {
                ids.append(entry.id)
                numbers.append(Int32(index + 1))
                lines.append(line)
            }
        }
        try await connection.execute(
            """
            INSERT INTO journal_lines (entry_id, line_no, account, campaign_id, cost_kind, debit_fen, credit_fen)
            SELECT e, n, a, nullif(c, ''), nullif(k, ''), d, cr
            FROM unnest(\(ids), \(numbers), \(lines.map(\.account.rawValue)), \(lines.map { $0.campaignId ?? "" }),
                        \(lines.map { $0.costKind?.rawValue ?? "" }), \(lines.map(\.debit)), \(lines.map(\.credit)))
                 AS x(e, n, a, c, k, d, cr)
            """, logger: logger)
    }
}
