import EventStore
import Foundation
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoDomain

/// Sales facts (`sales_orders`, `sales_lines`, `sales_refunds`) with the products, stores and customers they are
/// described by. An order's dimensions depend on what came before it (the customer's region and tier then,
/// whether they had paid an order before), so a batch loads the rows it needs, applies its events in order in
/// memory, and writes the result with one statement per table.
public struct Sales: ProjectionHandler {
    public static let name = "sales"
    /// The SKU a refund's amount beyond its lines (the delivery fee) is reported under.
    public static let deliverySKU = "(delivery)"

    public init() {}

    struct Store {
        var name: String, region: String, channel: String
    }

    struct Customer {
        var region: String?
        var tier: String?
        var paidOrders: Int32
    }

    struct Order {
        var id: String, customer: String, day: String, store: String, channel: String, region: String
        var tier: String, type: String, paid: Bool, cancelled: Bool, position: Int64
    }

    struct Line {
        var order: String, sku: String, category: String, units: Int32, gmv: Int64, discount: Int64, net: Int64
    }

    struct Refund {
        var order: String, refund: String, sku: String, day: String, units: Int32, fen: Int64, position: Int64
    }

    public func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        // What the batch needs to know before it starts.
        var storeIds = Set<String>()
        var skus = Set<String>()
        var customerIds = Set<String>()
        var orderIds = Set<String>()
        var placedInBatch = Set<String>()
        var placements: [Int64: PlacedOrder] = [:]
        for event in events {
            switch event.type {
            case OrderPlaced.eventType:
                let order = try event.decodePayload(as: PlacedOrder.self)
                placements[event.position] = order
                placedInBatch.insert(order.orderId)
                storeIds.insert(order.storeId)
                customerIds.insert(order.customerId)
                for line in order.lines { skus.insert(line.sku) }
            case OrderPaid.eventType, OrderCancelled.eventType:
                let id = try event.decodePayload(as: OrderKey.self).orderId
                if !placedInBatch.contains(id) { orderIds.insert(id) }
            case CustomerProfileSet.eventType:
                customerIds.insert(try event.decode(as: CustomerProfileSet.self).customerId)
            default:
                continue
            }
        }
        var stores = try await loadStores(storeIds, on: connection, logger: logger)
        var products = try await loadProducts(skus, on: connection, logger: logger)
        var orders = try await loadOrders(orderIds, on: connection, logger: logger)
        // Every customer the batch reads or changes is loaded here: one not found is not in the table yet.
        var customers = try await loadCustomers(
            customerIds.union(orders.values.map(\.customer)), on: connection, logger: logger)
        let unknown = Customer(region: nil, tier: nil, paidOrders: 0)
        var changedStores = Set<String>()
        var changedProducts = Set<String>()
        var changedCustomers = Set<String>()
        var newOrders: [String] = []
        var changedOrders = Set<String>()
        var lines: [Line] = []
        var refunds: [Refund] = []
        for event in events {
            switch event.type {
            case StoreDefined.eventType:
                let store = try event.decode(as: StoreDefined.self)
                stores[store.storeId] = Store(name: store.name, region: store.region, channel: store.channel)
                changedStores.insert(store.storeId)
            case ProductDefined.eventType:
                let product = try event.decode(as: ProductDefined.self)
                products[product.sku] = (product.name, product.category)
                changedProducts.insert(product.sku)
            case CustomerProfileSet.eventType:
                let profile = try event.decode(as: CustomerProfileSet.self)
                var customer = customers[profile.customerId] ?? unknown
                customer.region = profile.region
                customer.tier = profile.tier
                customers[profile.customerId] = customer
                changedCustomers.insert(profile.customerId)
            case OrderPlaced.eventType:
                guard let order = placements[event.position] else { continue }
                let customer = customers[order.customerId] ?? unknown
                let store = stores[order.storeId]
                let region: String
                if store?.channel == "store" {
                    region = store?.region ?? "unknown"
                } else {
                    region = customer.region ?? store?.region ?? "unknown"
                }
                orders[order.orderId] = Order(
                    id: order.orderId, customer: order.customerId, day: order.day, store: order.storeId,
                    channel: order.channel, region: region, tier: customer.tier ?? "regular",
                    type: customer.paidOrders > 0 ? "returning" : "new", paid: false, cancelled: false,
                    position: event.position)
                newOrders.append(order.orderId)
                var bySKU: [String: Line] = [:]
                for line in order.lines {
                    var entry =
                        bySKU[line.sku]
                        ?? Line(
                            order: order.orderId, sku: line.sku, category: products[line.sku]?.category ?? "unknown",
                            units: 0, gmv: 0, discount: 0, net: 0)
                    entry.units += Int32(line.quantity)
                    entry.gmv += line.listFen
                    entry.discount += line.listFen - line.netFen
                    entry.net += line.netFen
                    bySKU[line.sku] = entry
                }
                lines += bySKU.keys.sorted().compactMap { bySKU[$0] }
            case OrderPaid.eventType:
                let id = try event.decodePayload(as: OrderKey.self).orderId
                guard var order = orders[id], !order.paid else { continue }
                order.paid = true
                order.position = event.position
                orders[id] = order
                changedOrders.insert(id)
                var customer = customers[order.customer] ?? unknown
                customer.paidOrders += 1
                customers[order.customer] = customer
                changedCustomers.insert(order.customer)
            case OrderCancelled.eventType:
                let id = try event.decodePayload(as: OrderKey.self).orderId
                guard var order = orders[id] else { continue }
                order.cancelled = true
                order.position = event.position
                orders[id] = order
                changedOrders.insert(id)
            case OrderRefunded.eventType:
                let refund = try event.decode(as: OrderRefunded.self)
                let day = BusinessDay.string(from: event.recordedAt)
                var bySKU: [String: (Int32, Int64)] = [:]
                for line in refund.lines {
                    let sum = bySKU[line.sku] ?? (0, 0)
                    bySKU[line.sku] = (sum.0 + Int32(line.quantity), sum.1 + line.refundFen)
                }
                let beyond = refund.refundFen - refund.lines.map(\.refundFen).reduce(0, +)
                if beyond != 0 { bySKU[Self.deliverySKU] = (0, beyond) }
                for sku in bySKU.keys.sorted() {
                    guard let (units, fen) = bySKU[sku] else { continue }
                    refunds.append(
                        Refund(
                            order: refund.orderId, refund: refund.refundId, sku: sku, day: day, units: units, fen: fen,
                            position: event.position))
                }
            default:
                continue
            }
        }
        try await writeDimensions(
            stores: changedStores.sorted().compactMap { id in stores[id].map { (id, $0) } },
            products: changedProducts.sorted().compactMap { sku in products[sku].map { (sku, $0.0, $0.1) } },
            customers: changedCustomers.sorted().compactMap { id in customers[id].map { (id, $0) } },
            on: connection, logger: logger)
        let placedSet = Set(newOrders)
        try await writeFacts(
            new: newOrders.compactMap { orders[$0] },
            changed: changedOrders.subtracting(placedSet).sorted().compactMap { orders[$0] },
            lines: lines.compactMap { line in orders[line.order].map { (line, $0) } }, refunds: refunds,
            on: connection, logger: logger)
    }

    private func loadStores(_ ids: Set<String>, on connection: PostgresConnection, logger: Logger) async throws
        -> [String: Store]
    {
        guard !ids.isEmpty else { return [:] }
        var result: [String: Store] = [:]
        let rows = try await connection.query(
            "SELECT store_id, name, region, channel FROM sales_stores WHERE store_id = ANY(\(Array(ids)))",
            logger: logger)
        for try await (id, name, region, channel) in rows.decode((String, String, String, String).self) {
            result[id] = Store(name: name, region: region, channel: channel)
        }
        return result
    }

    private func loadProducts(_ skus: Set<String>, on connection: PostgresConnection, logger: Logger) async throws
        -> [String: (String, category: String)]
    {
        guard !skus.isEmpty else { return [:] }
        var result: [String: (String, category: String)] = [:]
        let rows = try await connection.query(
            "SELECT sku, name, category FROM sales_products WHERE sku = ANY(\(Array(skus)))", logger: logger)
        for try await (sku, name, category) in rows.decode((String, String, String).self) {
            result[sku] = (name, category)
        }
        return result
    }

    private func loadCustomers(_ ids: Set<String>, on connection: PostgresConnection, logger: Logger) async throws
        -> [String: Customer]
    {
        guard !ids.isEmpty else { return [:] }
        var result: [String: Customer] = [:]
        let rows = try await connection.query(
            "SELECT customer_id, region, tier, paid_orders FROM sales_customers WHERE customer_id = ANY(\(Array(ids)))",
            logger: logger)
        for try await (id, region, tier, paid) in rows.decode((String, String?, String?, Int32).self) {
            result[id] = Customer(region: region, tier: tier, paidOrders: paid)
        }
        return result
    }

    private func loadOrders(_ ids: Set<String>, on connection: PostgresConnection, logger: Logger) async throws
        -> [String: Order]
    {
        guard !ids.isEmpty else { return [:] }
        var result: [String: Order] = [:]
        let rows = try await connection.query(
            """
            SELECT order_id, customer_id, to_char(day, 'YYYY-MM-DD'), store_id, channel, region, tier, customer_type,
                   paid, cancelled, last_position
            FROM sales_orders WHERE order_id = ANY(\(Array(ids)))
            """, logger: logger)
        for try await (id, customer, day, store, channel, region, tier, type, paid, cancelled, position) in rows.decode(
            (String, String, String, String, String, String, String, String, Bool, Bool, Int64).self)
        {
            result[id] = Order(
                id: id, customer: customer, day: day, store: store, channel: channel, region: region, tier: tier,
                type: type, paid: paid, cancelled: cancelled, position: position)
        }
        return result
    }

    private func writeDimensions(
        stores: [(String, Store)], products: [(String, String, String)], customers: [(String, Customer)],
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        if !stores.isEmpty {
            try await connection.execute(
                """
                INSERT INTO sales_stores (store_id, name, region, channel)
                SELECT * FROM unnest(\(stores.map(\.0)), \(stores.map(\.1.name)), \(stores.map(\.1.region)),
                                     \(stores.map(\.1.channel)))
                ON CONFLICT (store_id) DO UPDATE
                SET name = excluded.name, region = excluded.region, channel = excluded.channel
                """, logger: logger)
        }
        if !products.isEmpty {
            try await connection.execute(
                """
                INSERT INTO sales_products (sku, name, category)
                SELECT * FROM unnest(\(products.map(\.0)), \(products.map(\.1)), \(products.map(\.2)))
                ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category
                """, logger: logger)
        }
        if !customers.isEmpty {
            try await connection.execute(
                """
                INSERT INTO sales_customers (customer_id, region, tier, paid_orders)
                SELECT id, nullif(region, ''), nullif(tier, ''), paid
                FROM unnest(\(customers.map(\.0)), \(customers.map { $0.1.region ?? "" }),
                            \(customers.map { $0.1.tier ?? "" }), \(customers.map(\.1.paidOrders)))
                     AS c(id, region, tier, paid)
                ON CONFLICT (customer_id) DO UPDATE
                SET region = excluded.region, tier = excluded.tier, paid_orders = excluded.paid_orders
                """, logger: logger)
        }
    }

    /// `lines` are those of the orders placed in the batch, each with its order as the batch left it.
    private func writeFacts(
        new: [Order], changed: [Order], lines placedLines: [(Line, Order)], refunds: [Refund],
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let lines = placedLines.map(\.0)
        if !new.isEmpty {
            try await connection.execute(
                """
                INSERT INTO sales_orders (order_id, customer_id, day, store_id, channel, region, tier, customer_type,
                                          paid, cancelled, last_position)
                SELECT id, customer, day::date, store, channel, region, tier, type, paid, cancelled, position
                FROM unnest(\(new.map(\.id)), \(new.map(\.customer)), \(new.map(\.day)), \(new.map(\.store)),
                            \(new.map(\.channel)), \(new.map(\.region)), \(new.map(\.tier)), \(new.map(\.type)),
                            \(new.map(\.paid)), \(new.map(\.cancelled)), \(new.map(\.position)))
                     AS o(id, customer, day, store, channel, region, tier, type, paid, cancelled, position)
                """, logger: logger)
        }
        if !changed.isEmpty {
            // Orders cancelled now leave the daily sums, with what had been refunded of them.
            try await connection.execute(
                """
                WITH gone AS (
                    SELECT o.* FROM sales_orders o
                    JOIN unnest(\(changed.map(\.id)), \(changed.map(\.cancelled))) AS c(id, cancelled) ON o.order_id = c.id
                    WHERE c.cancelled AND NOT o.cancelled),
                back AS (
                    SELECT order_id, sku, sum(units) AS units, sum(refund_fen) AS fen FROM sales_refunds
                    WHERE order_id IN (SELECT order_id FROM gone) GROUP BY 1, 2)
                INSERT INTO sales_daily
                SELECT g.day, l.sku, l.category, g.channel, g.store_id, g.region, -sum(l.units), -sum(l.net_fen),
                       -coalesce(sum(b.units), 0), -coalesce(sum(b.fen), 0)
                FROM gone g JOIN sales_lines l USING (order_id) LEFT JOIN back b USING (order_id, sku)
                GROUP BY 1, 2, 3, 4, 5, 6
                \(unescaped: Self.addToDaily)
                """, logger: logger)
            // A row they empty goes: had the placement and the cancellation fallen in one batch, it would never
            // have been written, and the rows must not depend on where batches end.
            try await connection.execute(
                """
                DELETE FROM sales_daily d USING sales_orders o
                WHERE o.order_id = ANY(\(changed.filter(\.cancelled).map(\.id))) AND d.day = o.day
                  AND d.channel = o.channel AND d.store_id = o.store_id AND d.region = o.region
                  AND d.units = 0 AND d.net_fen = 0 AND d.refunded_units = 0 AND d.refunded_fen = 0
                """, logger: logger)
            try await connection.execute(
                """
                UPDATE sales_orders o SET paid = c.paid, cancelled = c.cancelled, last_position = c.position
                FROM unnest(\(changed.map(\.id)), \(changed.map(\.paid)), \(changed.map(\.cancelled)),
                            \(changed.map(\.position))) AS c(id, paid, cancelled, position)
                WHERE o.order_id = c.id
                """, logger: logger)
        }
        if !lines.isEmpty {
            try await connection.execute(
                """
                INSERT INTO sales_lines (order_id, sku, category, units, gmv_fen, discount_fen, net_fen)
                SELECT * FROM unnest(\(lines.map(\.order)), \(lines.map(\.sku)), \(lines.map(\.category)),
                                     \(lines.map(\.units)), \(lines.map(\.gmv)), \(lines.map(\.discount)),
                                     \(lines.map(\.net)))
                """, logger: logger)
            // Under each order's day and dimensions as placed, unless the batch cancelled it too.
            let kept = placedLines.filter { !$0.1.cancelled }
            if !kept.isEmpty {
                try await connection.execute(
                    """
                    INSERT INTO sales_daily
                    SELECT d::date, sku, category, ch, st, rg, sum(units), sum(net), 0, 0
                    FROM unnest(\(kept.map(\.1.day)), \(kept.map(\.0.sku)), \(kept.map(\.0.category)),
                                \(kept.map(\.1.channel)), \(kept.map(\.1.store)), \(kept.map(\.1.region)),
                                \(kept.map(\.0.units)), \(kept.map(\.0.net))) AS l(d, sku, category, ch, st, rg, units, net)
                    GROUP BY 1, 2, 3, 4, 5, 6
                    \(unescaped: Self.addToDaily)
                    """, logger: logger)
            }
        }
        if !refunds.isEmpty {
            try await connection.execute(
                """
                INSERT INTO sales_refunds (order_id, refund_id, sku, day, units, refund_fen, position)
                SELECT o, r, s, d::date, u, f, p
                FROM unnest(\(refunds.map(\.order)), \(refunds.map(\.refund)), \(refunds.map(\.sku)),
                            \(refunds.map(\.day)), \(refunds.map(\.units)), \(refunds.map(\.fen)),
                            \(refunds.map(\.position))) AS x(o, r, s, d, u, f, p)
                """, logger: logger)
            // Under the order's day and dimensions, of its lines (a refund of the delivery fee is no line's).
            try await connection.execute(
                """
                INSERT INTO sales_daily
                SELECT o.day, l.sku, l.category, o.channel, o.store_id, o.region, 0, 0, sum(r.units), sum(r.fen)
                FROM unnest(\(refunds.map(\.order)), \(refunds.map(\.sku)), \(refunds.map(\.units)),
                            \(refunds.map(\.fen))) AS r(order_id, sku, units, fen)
                JOIN sales_orders o USING (order_id) JOIN sales_lines l USING (order_id, sku)
                WHERE NOT o.cancelled
                GROUP BY 1, 2, 3, 4, 5, 6
                \(unescaped: Self.addToDaily)
                """, logger: logger)
        }
    }

    /// Adds a `sales_daily` row's figures to the row of its day and dimensions.
    static let addToDaily = """
        ON CONFLICT (day, sku, category, channel, store_id, region) DO UPDATE
        SET units = sales_daily.units + excluded.units, net_fen = sales_daily.net_fen + excluded.net_fen,
            refunded_units = sales_daily.refunded_units + excluded.refunded_units,
            refunded_fen = sales_daily.refunded_fen + excluded.refunded_fen
        """
}
