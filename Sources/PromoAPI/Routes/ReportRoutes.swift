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
        table.add(.get, "/reports/reconciliation", roles: ReadModelRoutes.readers) { request, _ in
            try await reconciliation(request)
        }
        table.add(.get, "/reports/journal", roles: ReadModelRoutes.readers) { request, _ in
            try await journal(request)
        }
        table.add(.get, "/reports/uplift", roles: ReadModelRoutes.readers) { request, _ in
            try await uplift(request)
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
        let from = query["from"] == nil && query["to"] != nil ? try query.day("to") : try query.day("from")
        let to = query["to"] == nil ? from : try query.day("to")
        guard from <= to else { throw APIError.invalidField("to", "must not be before from") }
        if let start = BusinessDay.number(of: from), let end = BusinessDay.number(of: to), end - start >= maxDays {
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
        let grouping = try query.choice("groupBy", of: SalesGrouping.self) ?? .product
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

    /// `GET /v1/reports/reconciliation?date=`: the day's checks (``DailyReconciliation``), its totals and the
    /// management view by campaign and cost kind; `format=csv` downloads the mismatches, one per row.
    private func reconciliation(_ request: Request) async throws -> Response {
        let query = try QueryReader(request, allowed: ["date", "format", "minPosition"])
        let csv = try query.wantsCSV()
        let position = try await catalog.position(of: Reconciliation.name, honouring: query)
        let day = try query.day()
        let report = try await DailyReconciliation.run(day: day, client: store.client, logger: store.logger)
        if csv {
            var table = CSVTable(columns: [
                "date", "check", "order_id", "refund_id", "campaign_id", "cost_kind", "amounts_yuan", "entries",
                "events", "message",
            ])
            for mismatch in report.mismatches {
                table.append([
                    .text(day), .text(mismatch.check), .text(mismatch.orderId ?? ""), .text(mismatch.refundId ?? ""),
                    .text(mismatch.campaignId ?? ""), .text(mismatch.costKind ?? ""),
                    .text(mismatch.amounts.map { "\($0.0)=\(CSVTable.yuan($0.1))" }.joined(separator: " ")),
                    .text(mismatch.entries.joined(separator: " ")),
                    .text(mismatch.events.map { "\($0.position):\($0.type)@\($0.streamId)" }.joined(separator: " ")),
                    .text(mismatch.message),
                ])
            }
            return table.response(filename: "reconciliation-\(day)")
        }
        let mismatches: [JSONValue] = report.mismatches.map { mismatch in
            [
                "check": .string(mismatch.check), "message": .string(mismatch.message),
                "orderId": mismatch.orderId.map(JSONValue.string) ?? .null,
                "refundId": mismatch.refundId.map(JSONValue.string) ?? .null,
                "campaignId": mismatch.campaignId.map(JSONValue.string) ?? .null,
                "costKind": mismatch.costKind.map(JSONValue.string) ?? .null,
                "amounts": .object(
                    Dictionary(uniqueKeysWithValues: mismatch.amounts.map { ($0.0, JSONValue.int($0.1)) })),
                "entries": .array(mismatch.entries.map(JSONValue.string)),
                "events": .array(
                    mismatch.events.map {
                        ["position": .int($0.position), "type": .string($0.type), "streamId": .string($0.streamId)]
                    }),
            ]
        }
        return JSONResponse.make(
            body: [
                "date": .string(day), "ok": .bool(report.mismatches.isEmpty),
                "totals": [
                    "paymentsFen": .int(report.paymentsFen), "refundsFen": .int(report.refundsFen),
                    "netCashFen": .int(report.paymentsFen - report.refundsFen),
                    "netRevenueFen": .int(report.netRevenueFen), "pointsLiabilityFen": .int(report.pointsLiabilityFen),
                    "entries": .int(report.entries),
                ],
                "byCampaign": .array(
                    report.costs.map {
                        [
                            "campaignId": $0.campaignId.map(JSONValue.string) ?? .null,
                            "costKind": .string($0.costKind),
                            "amountFen": .int($0.amountFen),
                        ]
                    }),
                "mismatches": .array(mismatches), "position": .int(position),
            ])
    }

    /// `GET /v1/reports/journal?from=&to=`: every journal line of the days, entry by entry, for finance to load
    /// (`format=csv`: one row per line, the account's name beside its code, amounts in yuan).
    private func journal(_ request: Request) async throws -> Response {
        let query = try QueryReader(request, allowed: ["from", "to", "format", "minPosition"])
        let csv = try query.wantsCSV()
        let position = try await catalog.position(of: Reconciliation.name, honouring: query)
        let (from, to) = try Self.dayRange(query, maxDays: 92)
        typealias Row = (String, String, String, String, Int64, Int32, String, String?, String?, Int64, Int64)
        let rows: [Row] = try await store.client.leasedQuery(
            """
            SELECT to_char(e.day, 'YYYY-MM-DD'), e.entry_id, e.kind, e.description, e.position, l.line_no, l.account,
                   l.campaign_id, l.cost_kind, l.debit_fen, l.credit_fen
            FROM rm.journal_entries e JOIN rm.journal_lines l USING (entry_id)
            WHERE e.day BETWEEN \(from)::date AND \(to)::date
            ORDER BY e.day, e.position, e.entry_id, l.line_no LIMIT 200000
            """, logger: store.logger
        ) { rows in
            var result: [Row] = []
            for try await row in rows.decode(Row.self) { result.append(row) }
            return result
        }
        func name(_ code: String) -> String { Account(rawValue: code)?.name ?? code }
        if csv {
            var table = CSVTable(columns: [
                "date", "entry", "kind", "description", "line", "account", "account_name", "campaign_id", "cost_kind",
                "debit_yuan", "credit_yuan", "position",
            ])
            for row in rows {
                table.append([
                    .text(row.0), .text(row.1), .text(row.2), .text(row.3), .int(Int64(row.5)), .text(row.6),
                    .text(name(row.6)), .text(row.7 ?? ""), .text(row.8 ?? ""), .yuan(row.9), .yuan(row.10),
                    .int(row.4),
                ])
            }
            return table.response(filename: "journal-\(from)-\(to)")
        }
        var entries: [JSONValue] = []
        var current: (id: String, head: [String: JSONValue], lines: [JSONValue])?
        func flush() {
            guard var entry = current else { return }
            entry.head["lines"] = .array(entry.lines)
            entries.append(.object(entry.head))
        }
        for row in rows {
            if current?.id != row.1 {
                flush()
                current = (
                    row.1,
                    [
                        "date": .string(row.0), "entryId": .string(row.1), "kind": .string(row.2),
                        "description": .string(row.3), "position": .int(row.4),
                    ], []
                )
            }
            current?.lines.append([
                "account": .string(row.6), "accountName": .string(name(row.6)),
                "campaignId": row.7.map(JSONValue.string) ?? .null, "costKind": row.8.map(JSONValue.string) ?? .null,
                "debitFen": .int(row.9), "creditFen": .int(row.10),
            ])
        }
        flush()
        return JSONResponse.make(
            body: ["from": .string(from), "to": .string(to), "entries": .array(entries), "position": .int(position)])
    }

    /// `GET /v1/reports/uplift?campaignId=&daysBefore=` (default 14, up to 90): ``UpliftReport``; `format=csv`
    /// downloads the daily series.
    private func uplift(_ request: Request) async throws -> Response {
        let query = try QueryReader(request, allowed: ["campaignId", "daysBefore", "format", "minPosition"])
        let csv = try query.wantsCSV()
        guard let campaignId = query["campaignId"] else {
            throw APIError.invalidField("campaignId", "is required: the campaign to measure")
        }
        let daysBefore = try query.integer("daysBefore", default: 14, in: 1...90)
        let position = try await catalog.position(of: Uplift.name, honouring: query)
        _ = try await catalog.position(of: Sales.name, honouring: query)
        _ = try await catalog.position(of: Reconciliation.name, honouring: query)
        let report: UpliftReport
        do {
            report = try await UpliftReport.run(
                campaignId: campaignId, daysBefore: daysBefore, today: BusinessDay.string(from: Date()),
                client: store.client, logger: store.logger)
        } catch UpliftReport.Failure.unknownCampaign {
            throw APIError(
                .notFound, code: "not_found", message: "no campaign \(campaignId) in the uplift read model",
                details: ["campaignId": .string(campaignId)])
        } catch UpliftReport.Failure.noWindow {
            throw APIError(
                .unprocessableContent, code: "no_window", message: "campaign \(campaignId) has no window to measure",
                details: ["campaignId": .string(campaignId)])
        }
        if csv {
            var table = CSVTable(columns: ["campaign_id", "day", "period", "units", "net_yuan"])
            for day in report.daily {
                table.append([.text(campaignId), .text(day.day), .text(day.period), .int(day.units), .yuan(day.netFen)])
            }
            return table.response(filename: "uplift-\(campaignId)")
        }
        func period(_ period: UpliftReport.Period) -> JSONValue {
            [
                "from": .string(period.from), "to": .string(period.to), "days": .int(Int64(period.days)),
                "units": .int(period.units), "netFen": .int(period.netFen), "unitsPerDay": .double(period.unitsPerDay),
                "netFenPerDay": .int(period.netFenPerDay),
            ]
        }
        return JSONResponse.make(
            body: [
                "campaignId": .string(campaignId), "name": .string(report.name),
                "window": [
                    "start": .string(report.windowStart.formatted(.iso8601)),
                    "end": report.windowEnd.map { .string($0.formatted(.iso8601)) } ?? .null,
                ],
                "daysBefore": .int(Int64(daysBefore)), "before": period(report.before), "during": period(report.during),
                "extraUnits": .int(report.extraUnits), "extraNetFen": .int(report.extraNetFen),
                "promotionCostFen": .int(report.promotionCostFen),
                "costByKind": .object(report.costByKind.mapValues(JSONValue.int)),
                "costPerExtraUnitFen": report.costPerExtraUnitFen.map(JSONValue.int) ?? .null,
                "daily": .array(
                    report.daily.map {
                        [
                            "day": .string($0.day), "period": .string($0.period), "units": .int($0.units),
                            "netFen": .int($0.netFen),
                        ]
                    }),
                "position": .int(position),
            ])
    }
}
