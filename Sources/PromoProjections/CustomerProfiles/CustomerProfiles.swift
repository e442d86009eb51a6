import EventStore
import Foundation
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoDomain

/// Customer profiles (`profiles`, `profile_orders`, `profile_order_lines`, `profile_coupons`, `profile_products`):
/// what the profile query and the behavioural tags read (``CustomerTags``). Name, phone and address stay sealed
/// as the events hold them. A batch is written table by table: rows that appear first, then what changes them
/// (an order is placed before it is paid, cancelled or refunded; a coupon issued before it is redeemed).
public struct CustomerProfiles: ProjectionHandler {
    public static let name = "customer_profiles"

    public init() {}

    struct Refunded: Decodable {
        struct Line: Decodable {
            var sku: String
            var quantity: Int
        }
        var orderId: String
        var refundFen: Int64
        var lines: [Line]
    }

    struct PointsMove: Decodable {
        var customerId: String
        var points: Int
    }

    struct CouponKey: Decodable {
        var code: String
    }

    /// What a batch changes of one customer's row.
    struct CustomerChange {
        var profile: CustomerProfileSet?
        var tags: [String]?
        var points: Int64 = 0
        var position: Int64 = 0
    }

    struct OrderRow {
        var id: String, customer: String, day: String, at: Date, total: Int64, coupon: Bool, position: Int64
    }

    /// What a batch changes of an order placed before it, or in it.
    struct OrderChange {
        var paid: Int64?
        var cancelled = false
        var refunded: Int64 = 0
        var position: Int64 = 0
    }

    public func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        var products: [String: (category: String, tags: [String], position: Int64)] = [:]
        var customers: [String: CustomerChange] = [:]
        var placed: [OrderRow] = []
        var lines: [String: [String: Int]] = [:]
        var orders: [String: OrderChange] = [:]
        var returned: [String: [String: Int]] = [:]
        var issued: [(code: String, customer: String, template: String, position: Int64)] = []
        var coupons: [String: (state: String, position: Int64)] = [:]
        func customer(_ id: String, _ event: RecordedEvent, _ change: (inout CustomerChange) -> Void) {
            var entry = customers[id] ?? CustomerChange()
            change(&entry)
            entry.position = event.position
            customers[id] = entry
        }
        func order(_ id: String, _ event: RecordedEvent, _ change: (inout OrderChange) -> Void) {
            var entry = orders[id] ?? OrderChange()
            change(&entry)
            entry.position = event.position
            orders[id] = entry
        }
        func points(_ event: RecordedEvent, sign: Int64) throws {
            let move = try event.decodePayload(as: PointsMove.self)
            customer(move.customerId, event) { $0.points += sign * Int64(move.points) }
        }
        func coupon(_ event: RecordedEvent, becomes state: String) throws {
            coupons[try event.decodePayload(as: CouponKey.self).code] = (state, event.position)
        }
        for event in events {
            switch event.type {
            case ProductDefined.eventType:
                let product = try event.decode(as: ProductDefined.self)
                products[product.sku] = (product.category, product.tags, event.position)
            case CustomerProfileSet.eventType:
                let profile = try event.decode(as: CustomerProfileSet.self)
                customer(profile.customerId, event) { $0.profile = profile }
            case CustomerTagsSet.eventType:
                let tags = try event.decode(as: CustomerTagsSet.self)
                customer(tags.customerId, event) { $0.tags = tags.tags }
            case OrderPlaced.eventType:
                let order = try event.decodePayload(as: PlacedOrder.self)
                placed.append(
                    OrderRow(
                        id: order.orderId, customer: order.customerId, day: order.day, at: event.recordedAt,
                        total: order.totalFen, coupon: !(order.coupons ?? []).isEmpty, position: event.position))
                var units: [String: Int] = [:]
                for line in order.lines { units[line.sku, default: 0] += line.quantity }
                lines[order.orderId] = units
                customer(order.customerId, event) { _ in }
            case OrderPaid.eventType:
                let paid = try event.decode(as: OrderPaid.self)
                order(paid.orderId, event) { $0.paid = paid.amountFen }
            case OrderCancelled.eventType:
                order(try event.decode(as: OrderCancelled.self).orderId, event) { $0.cancelled = true }
            case OrderRefunded.eventType:
                let refund = try event.decodePayload(as: Refunded.self)
                order(refund.orderId, event) { $0.refunded += refund.refundFen }
                for line in refund.lines {
                    returned[refund.orderId, default: [:]][line.sku, default: 0] += line.quantity
                }
            case PointsEarned.eventType, PointsReturned.eventType:
                try points(event, sign: 1)
            case PointsRedeemed.eventType, PointsClawedBack.eventType, PointsExpired.eventType:
                try points(event, sign: -1)
            case CouponIssued.eventType:
                let coupon = try event.decode(as: CouponIssued.self)
                issued.append((coupon.code, coupon.customerId, coupon.templateId, event.position))
                customer(coupon.customerId, event) { _ in }
            case CouponRedeemed.eventType:
                try coupon(event, becomes: "redeemed")
            case CouponReleased.eventType:
                try coupon(event, becomes: "held")
            case CouponExpired.eventType:
                try coupon(event, becomes: "expired")
            default:
                continue
            }
        }
        try await writeProducts(products, on: connection, logger: logger)
        try await writeCustomers(customers, on: connection, logger: logger)
        try await writeOrders(placed, lines: lines, changes: orders, returned: returned, on: connection, logger: logger)
        try await writeCoupons(issued, changes: coupons, on: connection, logger: logger)
    }

    private func writeProducts(
        _ products: [String: (category: String, tags: [String], position: Int64)], on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        guard !products.isEmpty else { return }
        let skus = products.keys.sorted()
        // A text[] per product travels as one text each (its array literal), cast back in SQL.
        let tags = skus.map { sku in Self.arrayLiteral(products[sku]?.tags ?? []) }
        try await connection.execute(
            """
            INSERT INTO profile_products (sku, category, tags, last_position)
            SELECT sku, category, tags::text[], position
            FROM unnest(\(skus), \(skus.map { products[$0]?.category ?? "" }), \(tags),
                        \(skus.map { products[$0]?.position ?? 0 })) AS p(sku, category, tags, position)
            ON CONFLICT (sku) DO UPDATE
            SET category = excluded.category, tags = excluded.tags, last_position = excluded.last_position
            """, logger: logger)
    }

    private func writeCustomers(
        _ customers: [String: CustomerChange], on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !customers.isEmpty else { return }
        let ids = customers.keys.sorted()
        let rows = ids.map { customers[$0] ?? CustomerChange() }
        try await connection.execute(
            """
            INSERT INTO profiles (customer_id, last_position)
            SELECT id, 0 FROM unnest(\(ids)) AS c(id)
            ON CONFLICT (customer_id) DO NOTHING
            """, logger: logger)
        let profiles = rows.map(\.profile)
        try await connection.execute(
            """
            UPDATE profiles p
            SET has_profile = p.has_profile OR c.profile_set,
                region = CASE WHEN c.profile_set THEN c.region ELSE p.region END,
                tier = CASE WHEN c.profile_set THEN c.tier ELSE p.tier END,
                name_sealed = CASE WHEN c.profile_set THEN c.name ELSE p.name_sealed END,
                phone_sealed = CASE WHEN c.profile_set THEN c.phone ELSE p.phone_sealed END,
                address_sealed = CASE WHEN c.profile_set THEN c.address ELSE p.address_sealed END,
                taste_preferences = CASE WHEN c.profile_set THEN c.tastes::text[] ELSE p.taste_preferences END,
                consent_sms = CASE WHEN c.profile_set THEN c.sms ELSE p.consent_sms END,
                consent_wechat = CASE WHEN c.profile_set THEN c.wechat ELSE p.consent_wechat END,
                consent_app = CASE WHEN c.profile_set THEN c.app ELSE p.consent_app END,
                marketing_tags = CASE WHEN c.tags_set THEN c.tags::text[] ELSE p.marketing_tags END,
                points_balance = p.points_balance + c.points,
                last_position = c.position
            FROM unnest(\(ids), \(profiles.map { $0 != nil }), \(profiles.map { $0?.region ?? "" }),
                        \(profiles.map { $0?.tier ?? "" }), \(profiles.map { $0?.name ?? "" }),
                        \(profiles.map { $0?.phone ?? "" }), \(profiles.map { $0?.address ?? "" }),
                        \(profiles.map { Self.arrayLiteral($0?.tastePreferences ?? []) }),
                        \(profiles.map { $0?.consents.sms ?? false }), \(profiles.map { $0?.consents.wechat ?? false }),
                        \(profiles.map { $0?.consents.app ?? false }), \(rows.map { $0.tags != nil }),
                        \(rows.map { Self.arrayLiteral($0.tags ?? []) }), \(rows.map(\.points)), \(rows.map(\.position)))
                 AS c(id, profile_set, region, tier, name, phone, address, tastes, sms, wechat, app, tags_set, tags,
                      points, position)
            WHERE p.customer_id = c.id
            """, logger: logger)
    }

    private func writeOrders(
        _ placed: [OrderRow], lines: [String: [String: Int]], changes: [String: OrderChange],
        returned: [String: [String: Int]], on connection: PostgresConnection, logger: Logger
    ) async throws {
        // An order placed in this batch is written with what the batch did to it since (paid, cancelled,
        // refunded, units returned), the same row an update after the insert would leave, without the update:
        // in a rebuild most orders are placed and paid within one batch.
        var changes = changes
        var returned = returned
        if !placed.isEmpty {
            let folded = placed.map { changes.removeValue(forKey: $0.id) ?? OrderChange(position: $0.position) }
            try await connection.execute(
                """
                INSERT INTO profile_orders (order_id, customer_id, day, placed_at, total_fen, used_coupon, cancelled,
                                            paid_fen, refunded_fen, last_position)
                SELECT id, customer, day::date, at, total, coupon, cancelled, paid, refunded, position
                FROM unnest(\(placed.map(\.id)), \(placed.map(\.customer)), \(placed.map(\.day)), \(placed.map(\.at)),
                            \(placed.map(\.total)), \(placed.map(\.coupon)), \(folded.map(\.cancelled)),
                            \(folded.map { $0.paid ?? 0 }), \(folded.map(\.refunded)), \(folded.map(\.position)))
                     AS o(id, customer, day, at, total, coupon, cancelled, paid, refunded, position)
                """, logger: logger)
            var units: [(String, String, Int, Int)] = []
            for order in placed {
                let back = returned.removeValue(forKey: order.id) ?? [:]
                for (sku, quantity) in (lines[order.id] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    units.append((order.id, sku, quantity, back[sku] ?? 0))
                }
            }
            if !units.isEmpty {
                try await connection.execute(
                    """
                    INSERT INTO profile_order_lines (order_id, sku, quantity, returned)
                    SELECT * FROM unnest(\(units.map(\.0)), \(units.map(\.1)), \(units.map(\.2)), \(units.map(\.3)))
                    """, logger: logger)
            }
        }
        if !changes.isEmpty {
            let ids = changes.keys.sorted()
            let rows = ids.map { changes[$0] ?? OrderChange() }
            try await connection.execute(
                """
                UPDATE profile_orders o
                SET paid_fen = CASE WHEN c.paid_set THEN c.paid ELSE o.paid_fen END,
                    cancelled = o.cancelled OR c.cancelled, refunded_fen = o.refunded_fen + c.refunded,
                    last_position = c.position
                FROM unnest(\(ids), \(rows.map { $0.paid != nil }), \(rows.map { $0.paid ?? 0 }),
                            \(rows.map(\.cancelled)), \(rows.map(\.refunded)), \(rows.map(\.position)))
                     AS c(id, paid_set, paid, cancelled, refunded, position)
                WHERE o.order_id = c.id
                """, logger: logger)
        }
        let back = returned.sorted { $0.key < $1.key }.flatMap { order, skus in
            skus.sorted { $0.key < $1.key }.map { (order, $0.key, $0.value) }
        }
        if !back.isEmpty {
            try await connection.execute(
                """
                UPDATE profile_order_lines l SET returned = l.returned + r.quantity
                FROM unnest(\(back.map(\.0)), \(back.map(\.1)), \(back.map(\.2))) AS r(id, sku, quantity)
                WHERE l.order_id = r.id AND l.sku = r.sku
                """, logger: logger)
        }
    }

    private func writeCoupons(
        _ issued: [(code: String, customer: String, template: String, position: Int64)],
        changes: [String: (state: String, position: Int64)], on connection: PostgresConnection, logger: Logger
    ) async throws {
        if !issued.isEmpty {
            try await connection.execute(
                """
                INSERT INTO profile_coupons (code, customer_id, template_id, state, last_position)
                SELECT code, customer, template, 'held', position
                FROM unnest(\(issued.map(\.code)), \(issued.map(\.customer)), \(issued.map(\.template)),
                            \(issued.map(\.position))) AS c(code, customer, template, position)
                """, logger: logger)
        }
        guard !changes.isEmpty else { return }
        let codes = changes.keys.sorted()
        try await connection.execute(
            """
            UPDATE profile_coupons c SET state = x.state, last_position = x.position
            FROM unnest(\(codes), \(codes.map { changes[$0]?.state ?? "held" }),
                        \(codes.map { changes[$0]?.position ?? 0 })) AS x(code, state, position)
            WHERE c.code = x.code
            """, logger: logger)
    }

    /// A PostgreSQL array literal of `items` (`{"a","b"}`), each quoted and escaped.
    static func arrayLiteral(_ items: [String]) -> String {
        let quoted = items.map { item in
            "\"" + item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }
}
