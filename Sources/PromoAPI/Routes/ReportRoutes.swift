import EventStore
import Foundation
import Hummingbird
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections

/// The analysts' and finance's reports from the read models, each as JSON or, with `format=csv`, as a CSV
/// download (``CSVTable``): sales by day and dimension, campaign uplift, and the daily reconciliation.
struct ReportRoutes: Sendable {
    let catalog: ProjectionCatalog
    var store: PostgresEventStore { catalog.store }

    func register(on table: RouteTable) {
        table.add(.get, "/reports/sales", roles: ReadModelRoutes.readers) { request, _ in
            try await sales(request)
        }
    }

    /// What sales can be grouped by, and how each names its key in the facts (`l` a line, `r` a refund, `o`
    /// the order).
    enum SalesGrouping: String, CaseIterable {
        case product, category, region, store, channel, segment

        var soldKey: String {
            switch self {
            case .product: "l.sku"
            case .category: "l.category"
            case .region: "o.region"
            case .store: "o.store_id"
            case .channel: "o.channel"
            case .segment: "o.tier || '/' || o.customer_type"
            }
        }

        var refundKey: String {
            switch self {
            case .product: "r.sku"
            case .category: "coalesce(l.category, 'delivery')"
            default: soldKey
            }
        }

        /// A readable name for the key (the product's or store's name), else the key itself.
        var label: String {
            switch self {
            case .product: "coalesce((SELECT name FROM rm.sales_products WHERE sku = key), key)"
            case .store: "coalesce((SELECT name FROM rm.sales_stores WHERE store_id = key), key)"
            default: "key"
            }
        }
    }

    /// `from` and `to` (days, default today), at most `maxDays` apart.
    static func dayRange(_ query: QueryReader, maxDays: Int = 366) throws -> (String, String) {
        let today = BusinessDay.string(from: Date())
        let from = query["from"] ?? query["to"] ?? today
        let to = query["to"] ?? from
        guard ReadModelRoutes.isDay(from) else { throw APIError.invalidField("from", "must be a date, YYYY-MM-DD") }
        guard ReadModelRoutes.isDay(to) else { throw APIError.invalidField("to", "must be a date, YYYY-MM-DD") }
        guard from <= to else { throw APIError.invalidField("to", "must not be before from") }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        if let start = formatter.date(from: from), let end = formatter.date(from: to),
            end.timeIntervalSince(start) >= Double(maxDays) * 86_400
        {
            throw APIError.invalidField("to", "the range may span at most \(maxDays) days")
        }
        return (from, to)
    }

    /// `GET /v1/reports/sales?from=&to=&groupBy=`: per day and key, units, GMV, discount and net of the orders
    /// placed that day (cancelled ones left out), and the units and money refunded that day.
    private func sales(_ request: Request) async throws -> Response {
        let query = try QueryReader(request, allowed: ["from", "to", "groupBy", "format", "minPosition"])
        let csv = try query.wantsCSV()
        let position = try await catalog.position(of: Sales.name, honouring: query)
        let (from, to) = try Self.dayRange(query)
        let raw = query["groupBy"] ?? "product"
        guard let grouping = SalesGrouping(rawValue: raw) else {
            throw APIError.invalidField(
                "groupBy", "must be one of " + SalesGrouping.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var binds = PostgresBindings()
        binds.append(from)
        binds.append(to)
        let sql = """
            WITH sold AS (
                SELECT o.day, \(grouping.soldKey) AS key, sum(l.units)::bigint AS units, sum(l.gmv_fen)::bigint AS gmv,
                       sum(l.discount_fen)::bigint AS discount, sum(l.net_fen)::bigint AS net
                FROM rm.sales_lines l JOIN rm.sales_orders o USING (order_id)
                WHERE NOT o.cancelled AND o.day BETWEEN $1::date AND $2::date GROUP BY 1, 2),
            refunded AS (
                SELECT r.day, \(grouping.refundKey) AS key, sum(r.units)::bigint AS units,
                       sum(r.refund_fen)::bigint AS fen
                FROM rm.sales_refunds r JOIN rm.sales_orders o USING (order_id)
                LEFT JOIN rm.sales_lines l ON l.order_id = r.order_id AND l.sku = r.sku
                WHERE r.day BETWEEN $1::date AND $2::date GROUP BY 1, 2),
            joined AS (
                SELECT day, key, coalesce(s.units, 0) AS units, coalesce(s.gmv, 0) AS gmv,
                       coalesce(s.discount, 0) AS discount, coalesce(s.net, 0) AS net,
                       coalesce(f.units, 0) AS refunded_units, coalesce(f.fen, 0) AS refund_fen
                FROM sold s FULL JOIN refunded f USING (day, key))
            SELECT to_char(day, 'YYYY-MM-DD'), key, \(grouping.label), units, gmv, discount, net, refunded_units,
                   refund_fen
            FROM joined ORDER BY day, key LIMIT 100000
            """
        typealias Row = (String, String, String, Int64, Int64, Int64, Int64, Int64, Int64)
        let rows: [Row] = try await store.client.leasedQuery(
            PostgresQuery(unsafeSQL: sql, binds: binds), logger: store.logger
        ) { rows in
            var result: [Row] = []
            for try await row in rows.decode(Row.self) { result.append(row) }
            return result
        }
        if csv {
            var table = CSVTable(columns: [
                "day", grouping.rawValue, "name", "units", "gmv_yuan", "discount_yuan", "net_yuan", "refunded_units",
                "refund_yuan",
            ])
            for row in rows {
                table.append([
                    .text(row.0), .text(row.1), .text(row.2), .int(row.3), .yuan(row.4), .yuan(row.5), .yuan(row.6),
                    .int(row.7), .yuan(row.8),
                ])
            }
            return table.response(filename: "sales-\(grouping.rawValue)-\(from)-\(to)")
        }
        var totals: [Int64] = Array(repeating: 0, count: 6)
        let items: [JSONValue] = rows.map { row in
            for (index, value) in [row.3, row.4, row.5, row.6, row.7, row.8].enumerated() { totals[index] += value }
            return [
                "day": .string(row.0), "key": .string(row.1), "name": .string(row.2), "units": .int(row.3),
                "gmvFen": .int(row.4), "discountFen": .int(row.5), "netFen": .int(row.6),
                "refundedUnits": .int(row.7), "refundFen": .int(row.8),
            ]
        }
        return JSONResponse.make(
            body: [
                "from": .string(from), "to": .string(to), "groupBy": .string(grouping.rawValue),
                "rows": .array(items),
                "totals": [
                    "units": .int(totals[0]), "gmvFen": .int(totals[1]), "discountFen": .int(totals[2]),
                    "netFen": .int(totals[3]), "refundedUnits": .int(totals[4]), "refundFen": .int(totals[5]),
                ],
                "position": .int(position),
            ])
    }
}
