import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections

/// The read models' routes: reports served from projection tables (views in schema `rm`), and the projections'
/// status and rebuilds. Reports honour `?minPosition=N`: they wait up to 5 s for the read model to reach the
/// position a command returned, else answer 503 `projection_lagging`.
struct ReadModelRoutes: Sendable {
    let catalog: ProjectionCatalog
    var store: PostgresEventStore { catalog.store }

    static let readers: Set<AccessRole> = [.marketing, .analyst, .auditor]
    static let minPositionWait: Duration = .seconds(5)

    func register(on table: RouteTable) {
        table.add(.get, "/projections", roles: Self.readers) { request, _ in
            _ = try QueryReader(request, allowed: [])
            let statuses = try await catalog.status()
            return JSONResponse.make(body: ["projections": .array(statuses.map(Self.json))])
        }
        table.add(.post, "/projections/{name}/rebuild", roles: []) { request, context in
            let name = try request.identifier("name", context: context)
            _ = try QueryReader(request, allowed: [])
            // No body, or an empty object, like every write that carries no fields; no Idempotency-Key needed:
            // asking again while a rebuild runs returns the one running.
            var request = request
            let bytes = try await request.bodyBytes(context: context)
            if bytes.readableBytes > 0 { try BodyReader(body: Request.json(bytes)).finish() }
            do {
                let generation = try await catalog.requestRebuild(name)
                return JSONResponse.make(
                    status: .accepted,
                    body: [
                        "name": .string(name), "generation": .int(Int64(generation.generation)),
                        "version": .int(Int64(generation.version)), "state": .string(generation.state.rawValue),
                        "eventsTotal": .int(generation.eventsTotal),
                    ])
            } catch let error as ProjectionError {
                throw APIError(.notFound, code: "unknown_projection", message: error.description)
            }
        }
        table.add(.get, "/budgets/{campaignId}", roles: Self.readers) { request, context in
            try await budgets(request, context)
        }
        table.add(.get, "/dashboards/campaigns/{id}", roles: Self.readers) { request, context in
            try await dashboard(request, context)
        }
        table.add(.get, "/dashboards/campaigns", roles: Self.readers) { request, _ in
            try await overview(request)
        }
        table.add(.get, "/alerts", roles: Self.readers) { request, _ in
            try await alerts(request)
        }
        table.add(.get, "/reports/stock", roles: Self.readers) { request, _ in
            let query = try QueryReader(request, allowed: ["location", "belowSafety", "format", "minPosition"])
            let csv = try query.wantsCSV()
            let position = try await catalog.position(of: StockLevels.name, honouring: query)
            let location = query["location"]
            let belowSafety = try query.boolean("belowSafety")
            let items = try await store.client.leasedQuery(
                """
                SELECT sku, location, on_hand, reserved, available, safety_stock, below_safety FROM rm.stock_levels
                WHERE (\(location)::text IS NULL OR location = \(location)::text)
                  AND (\(belowSafety)::boolean IS NULL OR below_safety = \(belowSafety)::boolean)
                ORDER BY location, sku LIMIT 10000
                """, logger: store.logger
            ) { rows in
                var items: [JSONValue] = []
                for try await (sku, location, onHand, reserved, available, safety, below) in rows.decode(
                    (String, String, Int64, Int64, Int64, Int64, Bool).self)
                {
                    items.append([
                        "sku": .string(sku), "location": .string(location), "onHand": .int(onHand),
                        "reserved": .int(reserved), "available": .int(available), "safetyStock": .int(safety),
                        "belowSafety": .bool(below),
                    ])
                }
                return items
            }
            if csv {
                var table = CSVTable(columns: [
                    "sku", "location", "on_hand", "reserved", "available", "safety_stock", "below_safety",
                ])
                for item in items {
                    table.append(
                        ["sku", "location", "onHand", "reserved", "available", "safetyStock", "belowSafety"].map {
                            CSVTable.Cell(item[$0])
                        })
                }
                return table.response(filename: "stock-\(location ?? "all")")
            }
            return JSONResponse.make(body: ["items": .array(items), "position": .int(position)])
        }
    }

    static func json(_ status: ProjectionStatus) -> JSONValue {
        var json: [String: JSONValue] = [
            "name": .string(status.name), "version": .int(Int64(status.version)),
            "generation": .int(Int64(status.generation)), "position": .int(status.position),
            "lagEvents": .int(status.lagEvents), "lagSeconds": .double(status.lagSeconds),
            "status": .string(status.status), "workerRunning": .bool(status.workerRunning),
            "rebuild": .null,
            "parked": .array(
                status.parked.map { parked in
                    [
                        "generation": .int(Int64(parked.generation)), "position": .int(parked.position),
                        "eventId": parked.eventId.map { .string($0.uuidString.lowercased()) } ?? .null,
                        "eventType": parked.eventType.map(JSONValue.string) ?? .null,
                        "streamId": parked.streamId.map(JSONValue.string) ?? .null, "error": .string(parked.error),
                        "attempts": .int(Int64(parked.attempts)),
                        "parkedAt": .string(parked.parkedAt.formatted(.iso8601)),
                    ]
                }),
        ]
        if let rebuild = status.rebuild {
            json["rebuild"] = [
                "generation": .int(Int64(rebuild.generation)), "version": .int(Int64(rebuild.version)),
                "position": .int(rebuild.position), "eventsDone": .int(rebuild.eventsDone),
                "eventsTotal": .int(rebuild.eventsTotal), "status": .string(rebuild.status),
            ]
        }
        return .object(json)
    }

    /// A campaign's budget burn: each sub-budget's limit, consumed, released, net, left and percent, and the
    /// alert thresholds crossed with when.
    private func budgets(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let campaignId = try request.identifier("campaignId", context: context)
        let query = try QueryReader(request, allowed: ["format", "minPosition"])
        let csv = try query.wantsCSV()
        let position = try await catalog.position(of: BudgetBurn.name, honouring: query)
        let budgets = try await budgetRows(campaignId)
        guard !budgets.isEmpty else {
            throw APIError(
                .notFound, code: "not_found", message: "no budget burn for campaign \(campaignId)",
                details: ["campaignId": .string(campaignId)])
        }
        let crossed = try await store.client.leasedQuery(
            """
            SELECT budget, threshold_bp, order_id, consumed_fen, limit_fen, crossed_at, position
            FROM rm.budget_thresholds_crossed WHERE campaign_id = \(campaignId) ORDER BY position, budget, threshold_bp
            """, logger: store.logger
        ) { rows in
            var crossed: [JSONValue] = []
            for try await (budget, bp, orderId, consumed, limit, at, position) in rows.decode(
                (String, Int32, String, Int64, Int64, Date, Int64).self)
            {
                crossed.append([
                    "budget": .string(budget), "thresholdBp": .int(Int64(bp)), "orderId": .string(orderId),
                    "consumedFen": .int(consumed), "limitFen": .int(limit), "at": .string(at.formatted(.iso8601)),
                    "position": .int(position),
                ])
            }
            return crossed
        }
        if csv {
            let fields = ["limitFen", "consumedFen", "releasedFen", "netFen", "leftFen", "percent"]
            var table = CSVTable(columns: [
                "campaign_id", "budget", "limit_yuan", "consumed_yuan", "released_yuan", "net_yuan", "left_yuan",
                "percent",
            ])
            for budget in BudgetBurn.budgets {
                guard let row = budgets[budget] else { continue }
                table.append(
                    [.text(campaignId), .text(budget)]
                        + fields.map { field in
                            field == "percent" ? CSVTable.Cell(row[field]) : CSVTable.Cell(fen: row[field])
                        })
            }
            return table.response(filename: "budget-\(campaignId)")
        }
        return JSONResponse.make(
            body: [
                "campaignId": .string(campaignId), "budgets": .object(budgets), "thresholdsCrossed": .array(crossed),
                "position": .int(position),
            ])
    }

    /// A campaign's sub-budgets from the budget burn read model, by name.
    private func budgetRows(_ campaignId: String) async throws -> [String: JSONValue] {
        try await store.client.leasedQuery(
            """
            SELECT budget, limit_fen, consumed_fen, released_fen, net_fen, left_fen, percent::text
            FROM rm.budget_burn WHERE campaign_id = \(campaignId)
            """, logger: store.logger
        ) { rows in
            var budgets: [String: JSONValue] = [:]
            for try await (budget, limit, consumed, released, net, left, percent) in rows.decode(
                (String, Int64?, Int64, Int64, Int64, Int64?, String?).self)
            {
                budgets[budget] = [
                    "limitFen": limit.map(JSONValue.int) ?? .null, "consumedFen": .int(consumed),
                    "releasedFen": .int(released), "netFen": .int(net), "leftFen": left.map(JSONValue.int) ?? .null,
                    "percent": percent.flatMap(Double.init).map(JSONValue.double) ?? .null,
                ]
            }
            return budgets
        }
    }

    /// Orders, GMV, discount and participants of one campaign, all told, per hour, by channel and by store
    /// (cancelled orders left out, refunds shown apart), with its budget burn.
    private func dashboard(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let campaignId = try request.identifier("id", context: context)
        let query = try QueryReader(request, allowed: ["format", "minPosition"])
        let csv = try query.wantsCSV()
        let position = try await catalog.position(of: CampaignDashboard.name, honouring: query)
        _ = try await catalog.position(of: BudgetBurn.name, honouring: query)
        func groups(_ key: String, as name: String) async throws -> [JSONValue] {
            try await store.client.leasedQuery(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(key)::text, count(DISTINCT order_id), count(DISTINCT customer_id),
                               coalesce(sum(gmv_fen), 0)::bigint, coalesce(sum(discount_fen), 0)::bigint,
                               coalesce(sum(gift_cost_fen), 0)::bigint, coalesce(sum(refunded_fen), 0)::bigint
                        FROM rm.campaign_orders WHERE campaign_id = $1 AND NOT cancelled
                        GROUP BY \(key) ORDER BY \(key)
                        """, binds: Self.binds(campaignId)), logger: store.logger
            ) { rows in
                var groups: [JSONValue] = []
                for try await (value, orders, participants, gmv, discount, gift, refunded) in rows.decode(
                    (String, Int64, Int64, Int64, Int64, Int64, Int64).self)
                {
                    groups.append([
                        name: .string(value), "orders": .int(orders), "participants": .int(participants),
                        "gmvFen": .int(gmv), "discountFen": .int(discount), "giftCostFen": .int(gift),
                        "refundedFen": .int(refunded),
                    ])
                }
                return groups
            }
        }
        let totals = try await groups("campaign_id", as: "campaignId")
        let cancelled =
            try await store.client.leasedValue(
                "SELECT count(*) FROM rm.campaign_orders WHERE campaign_id = \(campaignId) AND cancelled",
                as: Int64.self, logger: store.logger) ?? 0
        let budget = try await budgetRows(campaignId)
        guard !totals.isEmpty || cancelled > 0 || !budget.isEmpty else {
            throw APIError(
                .notFound, code: "not_found", message: "no dashboard for campaign \(campaignId)",
                details: ["campaignId": .string(campaignId)])
        }
        var body: [String: JSONValue] = [
            "campaignId": .string(campaignId), "orders": 0, "participants": 0, "gmvFen": 0, "discountFen": 0,
            "giftCostFen": 0, "refundedFen": 0,
        ]
        if case .object(let sums)? = totals.first {
            for (key, value) in sums where key != "campaignId" { body[key] = value }
        }
        body["cancelledOrders"] = .int(cancelled)
        body["hourly"] = .array(
            try await groups(
                "to_char(hour AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:00:00+08:00')", as: "hour"))
        body["byChannel"] = .array(try await groups("channel", as: "channel"))
        body["byStore"] = .array(try await groups("store_id", as: "storeId"))
        body["budget"] = [
            "totalFen": budget["totalFen"]?["limitFen"] ?? .null,
            "consumedFen": budget["totalFen"]?["netFen"] ?? 0, "bySubBudget": .object(budget),
        ]
        body["position"] = .int(position)
        if csv {
            // One row per hour, channel and store: the figures the page charts.
            let figures = ["orders", "participants", "gmvFen", "discountFen", "giftCostFen", "refundedFen"]
            var table = CSVTable(columns: [
                "campaign_id", "group", "key", "orders", "participants", "gmv_yuan", "discount_yuan", "gift_cost_yuan",
                "refunded_yuan",
            ])
            for (group, key) in [("hourly", "hour"), ("byChannel", "channel"), ("byStore", "storeId")] {
                for row in body[group]?.arrayValue ?? [] {
                    table.append(
                        [.text(campaignId), .text(group), CSVTable.Cell(row[key])]
                            + figures.map { $0.hasSuffix("Fen") ? CSVTable.Cell(fen: row[$0]) : CSVTable.Cell(row[$0]) }
                    )
                }
            }
            return table.response(filename: "dashboard-\(campaignId)")
        }
        return JSONResponse.make(body: .object(body))
    }

    static func binds(_ value: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(value)
        return binds
    }

    /// Every campaign the read models know, with a day's figures (`date`, default today in Asia/Shanghai) and
    /// its budget burn (the total budget, or the most consumed sub-budget when the total is not limited, named in
    /// `budget.name`): the overview page's list.
    private func overview(_ request: Request) async throws -> Response {
        let query = try QueryReader(request, allowed: ["date", "format", "minPosition"])
        let csv = try query.wantsCSV()
        let position = try await catalog.position(of: CampaignDashboard.name, honouring: query)
        _ = try await catalog.position(of: BudgetBurn.name, honouring: query)
        let day = try query.day()
        let campaigns = try await store.client.leasedQuery(
            """
            WITH known AS (
                SELECT DISTINCT campaign_id FROM rm.budget_burn
                UNION SELECT DISTINCT campaign_id FROM rm.campaign_orders WHERE day = \(day)::date),
            today AS (
                SELECT campaign_id, count(DISTINCT order_id) AS orders, count(DISTINCT customer_id) AS participants,
                       sum(gmv_fen)::bigint AS gmv, sum(discount_fen)::bigint AS discount
                FROM rm.campaign_orders WHERE day = \(day)::date AND NOT cancelled GROUP BY campaign_id)
            SELECT k.campaign_id, coalesce(t.orders, 0), coalesce(t.participants, 0), coalesce(t.gmv, 0),
                   coalesce(t.discount, 0), b.budget, b.limit_fen, coalesce(b.net_fen, 0), b.percent::text
            FROM known k LEFT JOIN today t USING (campaign_id)
            -- The total budget when the campaign limits it, else its most consumed limited sub-budget.
            LEFT JOIN LATERAL (
                SELECT x.budget, x.limit_fen, x.net_fen, x.percent FROM rm.budget_burn x
                WHERE x.campaign_id = k.campaign_id
                ORDER BY x.limit_fen IS NULL, x.budget = 'totalFen' DESC, x.percent DESC NULLS LAST, x.budget
                LIMIT 1) b ON true
            ORDER BY k.campaign_id LIMIT 1000
            """, logger: store.logger
        ) { rows in
            var campaigns: [JSONValue] = []
            for try await (id, orders, participants, gmv, discount, budget, limit, net, percent) in rows.decode(
                (String, Int64, Int64, Int64, Int64, String?, Int64?, Int64, String?).self)
            {
                campaigns.append([
                    "campaignId": .string(id),
                    "today": [
                        "orders": .int(orders), "participants": .int(participants), "gmvFen": .int(gmv),
                        "discountFen": .int(discount),
                    ],
                    "budget": [
                        "name": budget.map(JSONValue.string) ?? .null,
                        "limitFen": limit.map(JSONValue.int) ?? .null, "netFen": .int(net),
                        "percent": percent.flatMap(Double.init).map(JSONValue.double) ?? .null,
                    ],
                ])
            }
            return campaigns
        }
        if csv {
            var table = CSVTable(columns: [
                "date", "campaign_id", "orders", "participants", "gmv_yuan", "discount_yuan", "budget_limit_yuan",
                "budget_net_yuan", "budget_percent",
            ])
            for campaign in campaigns {
                let today = campaign["today"], budget = campaign["budget"]
                table.append([
                    .text(day), CSVTable.Cell(campaign["campaignId"]), CSVTable.Cell(today?["orders"]),
                    CSVTable.Cell(today?["participants"]), CSVTable.Cell(fen: today?["gmvFen"]),
                    CSVTable.Cell(fen: today?["discountFen"]), CSVTable.Cell(fen: budget?["limitFen"]),
                    CSVTable.Cell(fen: budget?["netFen"]), CSVTable.Cell(budget?["percent"]),
                ])
            }
            return table.response(filename: "campaigns-\(day)")
        }
        return JSONResponse.make(
            body: ["date": .string(day), "campaigns": .array(campaigns), "position": .int(position)])
    }

    /// The alerts feed, newest first: low stock and budget thresholds as recorded since `since` (default: the
    /// last 24 hours), and what holds now: a refund spike (refunds in the last hour over `refundSharePercent`
    /// of orders, default 20, once at least `minOrders`, default 20, were placed), read models lagging more
    /// than `lagSeconds` (default 60), parked events.
    private func alerts(_ request: Request) async throws -> Response {
        let query = try QueryReader(
            request,
            allowed: ["since", "limit", "refundSharePercent", "minOrders", "lagSeconds", "format", "minPosition"])
        let csv = try query.wantsCSV()
        _ = try await catalog.position(of: Alerts.name, honouring: query)
        let since: Date
        if let raw = query["since"] {
            guard let parsed = ISO8601DateFormatter().date(from: raw) else {
                throw APIError.invalidField("since", "must be a time, e.g. 2026-11-11T00:00:00+08:00")
            }
            since = parsed
        } else {
            since = Date().addingTimeInterval(-86_400)
        }
        let share = Int64(try query.integer("refundSharePercent", default: 20, in: 1...100))
        let minOrders = Int64(try query.integer("minOrders", default: 20, in: 1...1_000_000))
        let lagLimit = Int64(try query.integer("lagSeconds", default: 60, in: 1...86_400))
        let limit = try query.integer("limit", default: 500, in: 1...500)
        var items: [(Date, JSONValue)] = try await store.client.leasedQuery(
            """
            SELECT kind, subject, at, message, details::text FROM rm.alert_events WHERE at > \(since)
            ORDER BY at DESC, position DESC LIMIT \(limit)
            """, logger: store.logger
        ) { rows in
            var items: [(Date, JSONValue)] = []
            for try await (kind, subject, at, message, details) in rows.decode(
                (String, String, Date, String, String).self)
            {
                items.append(
                    (
                        at,
                        [
                            "kind": .string(kind), "subject": .string(subject), "at": .string(at.formatted(.iso8601)),
                            "message": .string(message), "details": (try? JSONValue(parsing: details)) ?? .null,
                        ]
                    ))
            }
            return items
        }
        let now = Date()
        let lastHour =
            try await store.client.leasedQuery(
                """
                SELECT coalesce(sum(orders), 0)::bigint, coalesce(sum(refunds), 0)::bigint FROM rm.order_minutes
                WHERE minute > now() - interval '60 minutes'
                """, logger: store.logger
            ) { rows in
                var values: [(Int64, Int64)] = []
                for try await row in rows.decode((Int64, Int64).self) { values.append(row) }
                return values
            }.first ?? (Int64(0), Int64(0))
        if lastHour.0 >= minOrders, lastHour.1 * 100 > lastHour.0 * share {
            items.append(
                (
                    now,
                    [
                        "kind": "refund_spike", "subject": "last hour", "at": .string(now.formatted(.iso8601)),
                        "message": .string(
                            "\(lastHour.1) refunds against \(lastHour.0) orders in the last hour (over \(share) %)"),
                        "details": [
                            "orders": .int(lastHour.0), "refunds": .int(lastHour.1), "sharePercent": .int(share),
                        ],
                    ]
                ))
        }
        for status in try await catalog.status() {
            if status.lagSeconds > Double(lagLimit) {
                items.append(
                    (
                        now,
                        [
                            "kind": "projection_lag", "subject": .string(status.name),
                            "at": .string(now.formatted(.iso8601)),
                            "message": .string(
                                "read model \(status.name) is \(Int(status.lagSeconds)) s behind (\(status.lagEvents) events)"
                            ),
                            "details": ["lagSeconds": .double(status.lagSeconds), "lagEvents": .int(status.lagEvents)],
                        ]
                    ))
            }
            for parked in status.parked {
                items.append(
                    (
                        parked.parkedAt,
                        [
                            "kind": "parked_event", "subject": .string("\(status.name)@\(parked.position)"),
                            "at": .string(parked.parkedAt.formatted(.iso8601)),
                            "message": .string(
                                "read model \(status.name) stopped at event \(parked.position) (\(parked.eventType ?? "?")); "
                                    + "retry or skip it with promoctl projections"),
                            "details": [
                                "error": .string(String(parked.error.prefix(500))),
                                "attempts": .int(Int64(parked.attempts)),
                            ],
                        ]
                    ))
            }
        }
        items.sort { $0.0 > $1.0 }
        items = Array(items.prefix(limit))
        if csv {
            var table = CSVTable(columns: ["at", "kind", "subject", "message"])
            for (_, item) in items {
                table.append(["at", "kind", "subject", "message"].map { CSVTable.Cell(item[$0]) })
            }
            return table.response(filename: "alerts")
        }
        return JSONResponse.make(
            body: ["since": .string(since.formatted(.iso8601)), "alerts": .array(items.map(\.1))])
    }
}
