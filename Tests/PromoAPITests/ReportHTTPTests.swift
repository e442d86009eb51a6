import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Testing

@testable import PromoAPI

/// The reports over HTTP, on a database of their own, from real commands: a campaign, four orders in two
/// channels and three regions (one cancelled, one partly refunded), read back as sales, reconciliation and
/// CSV with the figures worked out by hand below.
@Suite("Reports over HTTP")
struct ReportHTTPTests {
    /// The keys and client of one run.
    struct World {
        var client: Client
        var marketing: String
        var channel: String
        var analyst: String
        var store: PostgresEventStore
        var catalog: ProjectionCatalog
        var lastPosition: Int64 = 0
        let today = BusinessDay.string(from: Date())

        func ok(_ reply: Reply, _ what: String) {
            #expect(reply.status == .ok || reply.status == .created, "\(what): \(reply.text)")
        }

        func send(_ method: HTTPRequest.Method, _ path: String, key: String, body: String? = nil) async throws
            -> Reply
        {
            try await client.send(method, path, key: key, body: body)
        }

        /// Places and pays an order; returns the order's reply.
        @discardableResult
        mutating func order(
            _ id: String, customer: String, store: String, lines: [(String, Int)], pay: Bool = true
        ) async throws -> Reply {
            let lineList = lines.map { #"{"sku":"\#($0.0)","quantity":\#($0.1)}"# }.joined(separator: ",")
            let placed = try await send(
                .post, "/v1/orders", key: channel,
                body: """
                    {"orderId":"\(id)","paymentMethod":"wechat_pay","customerId":"\(customer)",\
                    "channel":"\(store == "s-online" ? "online" : "store")","storeId":"\(store)","lines":[\(lineList)]}
                    """)
            ok(placed, "order \(id)")
            lastPosition = placed.json["position"]?.intValue ?? lastPosition
            if pay, let total = placed.json["totalFen"]?.intValue {
                let paid = try await send(
                    .post, "/v1/orders/\(id)/payments", key: channel,
                    body: #"{"amountFen":\#(total),"method":"wechat_pay","reference":"ref-\#(id)"}"#)
                ok(paid, "payment \(id)")
                lastPosition = paid.json["position"]?.intValue ?? lastPosition
            }
            return placed
        }
    }

    @Test("Sales by every dimension with refunds; reconciliation clean, then a corrupted journal row reported; CSV")
    func reports() async throws {
        try await OwnDatabase.with(prefix: "report") { own in
            var world = World(
                client: own.client, marketing: own.key(.marketing), channel: own.key(.channel),
                analyst: own.key(.analyst), store: own.store, catalog: own.catalog)
            try await Self.seed(&world)
            try await Self.sales(world)
            try await Self.uplift(world)
            try await Self.everyReportAsCSV(world)
            try await Self.reconciliation(world)
        }
    }

    /// Two products, an online mall and a shop in Sichuan, three customers; 满50减10 on hot-pot bases. Orders:
    /// o-1 u-gold online 2 × HP (7 980 − 1 000); o-2 u-gold in the shop 1 × JZ (2 590); o-3 u-new online
    /// 1 × HP + 1 × JZ (6 580), JZ refunded; o-4 a guest online 1 × HP, cancelled.
    static func seed(_ world: inout World) async throws {
        let marketing = world.marketing
        world.ok(try await world.send(.put, "/v1/products/HP-001", key: marketing, body: productBody()), "product")
        world.ok(
            try await world.send(
                .put, "/v1/products/JZ-001", key: marketing,
                body: """
                    {"name":"钟水饺","spec":"500g","origin":"成都","shelfLifeDays":365,"priceFen":2590,\
                    "costFen":1100,"category":"dumplings","tags":["frozen"]}
                    """), "product")
        world.ok(
            try await world.send(
                .put, "/v1/stores/s-online", key: marketing,
                body: #"{"name":"官方商城","region":"national","channel":"online"}"#), "store")
        world.ok(
            try await world.send(
                .put, "/v1/stores/s-cd-01", key: marketing,
                body: #"{"name":"成都春熙路店","region":"sichuan","channel":"store"}"#), "store")
        for sku in ["HP-001", "JZ-001"] {
            for location in ["s-online", "s-cd-01"] {
                world.ok(
                    try await world.send(
                        .post, "/v1/stock/\(sku)/\(location)/receipts", key: marketing, body: #"{"quantity":50}"#),
                    "stock")
            }
        }
        for (id, tier, region) in [("u-gold", "gold", "guangdong"), ("u-new", "regular", "chongqing")] {
            world.ok(
                try await world.send(
                    .put, "/v1/customers/\(id)", key: world.channel,
                    body: """
                        {"name":"顾客","phone":"13800138000","address":"地址","region":"\(region)","tier":"\(tier)",\
                        "tastePreferences":[],"consents":{"sms":false,"wechat":false,"app":false}}
                        """), "customer")
        }
        world.ok(
            try await world.send(
                .post, "/v1/campaigns", key: marketing,
                body: """
                    {"campaignId":"c-hot","name":"火锅底料满50减10","kind":"spend_reduction",\
                    "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
                    "scope":{"categories":["hotpot"]},"rules":{"tiers":[{"thresholdFen":5000,"reductionFen":1000}]}}
                    """), "campaign")
        world.ok(try await world.send(.post, "/v1/campaigns/c-hot/activate", key: marketing), "activate")
        let first = try await world.order("o-1", customer: "u-gold", store: "s-online", lines: [("HP-001", 2)])
        #expect(first.json["totalFen"] == 6_980)
        try await world.order("o-2", customer: "u-gold", store: "s-cd-01", lines: [("JZ-001", 1)])
        try await world.order("o-3", customer: "u-new", store: "s-online", lines: [("HP-001", 1), ("JZ-001", 1)])
        try await world.order("o-4", customer: "u-guest", store: "s-online", lines: [("HP-001", 1)], pay: false)
        let cancelled = try await world.send(.post, "/v1/orders/o-4/cancel", key: world.channel, body: "{}")
        world.ok(cancelled, "cancel")
        let refund = try await world.send(
            .post, "/v1/orders/o-3/refunds", key: world.channel,
            body: #"{"refundId":"r-1","lines":[{"sku":"JZ-001","quantity":1}]}"#)
        world.ok(refund, "refund")
        #expect(refund.json["refundFen"] == 2_590)
        world.lastPosition = refund.json["position"]?.intValue ?? world.lastPosition
    }

    /// The rows of a sales report as `key: [units, gmv, discount, net, refunded units, refund]`.
    static func salesRows(_ world: World, _ groupBy: String) async throws -> [String: [Int64]] {
        let reply = try await world.send(
            .get,
            "/v1/reports/sales?from=\(world.today)&to=\(world.today)&groupBy=\(groupBy)&minPosition=\(world.lastPosition)",
            key: world.analyst)
        #expect(reply.status == .ok, "\(reply.text)")
        guard case .array(let rows)? = reply.json["rows"] else { return [:] }
        var result: [String: [Int64]] = [:]
        for row in rows {
            guard let key = row["key"]?.stringValue else { continue }
            #expect(row["day"]?.stringValue == world.today)
            result[key] = ["units", "gmvFen", "discountFen", "netFen", "refundedUnits", "refundFen"].map {
                row[$0]?.intValue ?? -1
            }
        }
        return result
    }

    static func sales(_ world: World) async throws {
        #expect(
            try await salesRows(world, "product") == [
                "HP-001": [3, 11_970, 1_000, 10_970, 0, 0], "JZ-001": [2, 5_180, 0, 5_180, 1, 2_590],
            ])
        #expect(
            try await salesRows(world, "category") == [
                "hotpot": [3, 11_970, 1_000, 10_970, 0, 0], "dumplings": [2, 5_180, 0, 5_180, 1, 2_590],
            ])
        // Online orders count in the customer's region, the shop's in the shop's.
        #expect(
            try await salesRows(world, "region") == [
                "guangdong": [2, 7_980, 1_000, 6_980, 0, 0], "sichuan": [1, 2_590, 0, 2_590, 0, 0],
                "chongqing": [2, 6_580, 0, 6_580, 1, 2_590],
            ])
        #expect(
            try await salesRows(world, "store") == [
                "s-online": [4, 14_560, 1_000, 13_560, 1, 2_590], "s-cd-01": [1, 2_590, 0, 2_590, 0, 0],
            ])
        #expect(
            try await salesRows(world, "channel") == [
                "online": [4, 14_560, 1_000, 13_560, 1, 2_590], "store": [1, 2_590, 0, 2_590, 0, 0],
            ])
        // u-gold's first order was placed before any was paid (new); the second after (returning).
        #expect(
            try await salesRows(world, "segment") == [
                "gold/new": [2, 7_980, 1_000, 6_980, 0, 0], "gold/returning": [1, 2_590, 0, 2_590, 0, 0],
                "regular/new": [2, 6_580, 0, 6_580, 1, 2_590],
            ])
        let bad = try await world.send(.get, "/v1/reports/sales?groupBy=colour", key: world.analyst)
        #expect(bad.errorField == "groupBy")
        let backwards = try await world.send(
            .get, "/v1/reports/sales?from=2026-11-02&to=2026-11-01", key: world.analyst)
        #expect(backwards.errorField == "to")
        let tooLong = try await world.send(
            .get, "/v1/reports/sales?from=2024-01-01&to=2026-01-01", key: world.analyst)
        #expect(tooLong.errorField == "to")
        let format = try await world.send(.get, "/v1/reports/sales?format=xlsx", key: world.analyst)
        #expect(format.errorField == "format")

        // CSV: a byte-order mark, a header, money in yuan, the product's name in Chinese.
        let csv = try await world.send(
            .get, "/v1/reports/sales?from=\(world.today)&to=\(world.today)&groupBy=product&format=csv",
            key: world.analyst)
        #expect(csv.status == .ok)
        #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
        #expect(csv.headers[.contentDisposition]?.contains("sales-product-") == true)
        #expect(csv.text.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
        let lines = csv.text.dropFirst().components(separatedBy: "\r\n")
        #expect(
            lines == [
                "day,product,name,units,gmv_yuan,discount_yuan,net_yuan,refunded_units,refund_yuan",
                "\(world.today),HP-001,牛油火锅底料,3,119.70,10.00,109.70,0,0.00",
                "\(world.today),JZ-001,钟水饺,2,51.80,0.00,51.80,1,25.90", "",
            ])
    }

    static func reconciliation(_ world: World) async throws {
        let path = "/v1/reports/reconciliation?date=\(world.today)&minPosition=\(world.lastPosition)"
        let clean = try await world.send(.get, path, key: world.analyst)
        #expect(clean.status == .ok, "\(clean.text)")
        #expect(clean.json["ok"] == true, "\(clean.text)")
        #expect(clean.json["mismatches"] == [])
        // Paid: 6 980 + 2 590 + 6 580; paid back: 2 590 (o-4 was cancelled before payment: nothing booked).
        let totals = clean.json["totals"]
        #expect(totals?["paymentsFen"] == 16_150)
        #expect(totals?["refundsFen"] == 2_590)
        #expect(totals?["netCashFen"] == 13_560)
        // Payments − refunds = net revenue with the points liability it moved, and that liability is exactly the
        // points the customers hold.
        let revenue = try #require(totals?["netRevenueFen"]?.intValue)
        let points = try #require(totals?["pointsLiabilityFen"]?.intValue)
        #expect(revenue + points == 13_560)
        var balances: Int64 = 0
        for customer in ["u-gold", "u-new"] {
            let profile = try await world.send(
                .get, "/v1/customers/\(customer)/profile?minPosition=\(world.lastPosition)", key: world.marketing)
            balances += profile.json["points"]?["balance"]?.intValue ?? -1
        }
        #expect(points == balances)
        #expect(points > 0)
        #expect(
            clean.json["byCampaign"]?.arrayValue?.contains([
                "campaignId": "c-hot", "costKind": "discount", "amountFen": 1_000,
            ])
                == true, "\(clean.text)")

        // The journal: every entry balanced; the payment of o-1 books the 1 000 off as a price reduction.
        let journal = try await world.send(
            .get, "/v1/reports/journal?from=\(world.today)&to=\(world.today)", key: world.analyst)
        #expect(journal.status == .ok, "\(journal.text)")
        let entries = journal.json["entries"]?.arrayValue ?? []
        #expect(entries.count == 4, "three payments and one refund: \(journal.text)")
        for entry in entries {
            let lines = entry["lines"]?.arrayValue ?? []
            let debits = lines.compactMap { $0["debitFen"]?.intValue }.reduce(0, +)
            let credits = lines.compactMap { $0["creditFen"]?.intValue }.reduce(0, +)
            #expect(debits == credits, "\(entry)")
        }
        let payment = try #require(entries.first { $0["entryId"] == "pay:o-1" })
        let reduction = payment["lines"]?.arrayValue?.first { $0["account"] == "6001.02" }
        #expect(reduction?["debitFen"] == 1_000)
        #expect(reduction?["campaignId"] == "c-hot")
        let gross = payment["lines"]?.arrayValue?.first { $0["account"] == "6001.01" }
        #expect(gross?["creditFen"] == 7_980)
        let journalCSV = try await world.send(
            .get, "/v1/reports/journal?from=\(world.today)&to=\(world.today)&format=csv", key: world.analyst)
        #expect(journalCSV.text.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(journalCSV.text.contains("6001.02,主营业务收入－价格折让（满减、折扣、优惠券）,c-hot,discount,10.00,0.00"))

        // A journal row tampered with: the price reduction of o-1 booked 100 fen too high.
        try await world.store.client.leasedExecute(
            """
            UPDATE rm.journal_lines SET debit_fen = debit_fen + 100
            WHERE entry_id = 'pay:o-1' AND account = '6001.02' AND campaign_id = 'c-hot'
            """, logger: world.store.logger)
        let corrupted = try await world.send(.get, path, key: world.analyst)
        #expect(corrupted.json["ok"] == false)
        let mismatches = corrupted.json["mismatches"]?.arrayValue ?? []
        #expect(
            Set(mismatches.compactMap { $0["check"]?.stringValue }) == ["promotion_cost", "cash", "unbalanced_entry"])
        for mismatch in mismatches {
            #expect(mismatch["entries"] == ["pay:o-1"], "\(mismatch)")
            #expect(mismatch["orderId"] == "o-1", "\(mismatch)")
            let types = mismatch["events"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
            #expect(types.contains("OrderPaid"), "\(mismatch)")
        }
        let cost = try #require(mismatches.first { $0["check"] == "promotion_cost" })
        #expect(cost["amounts"] == ["orderFen": 1_000, "budgetFen": 1_000, "journalFen": 1_100])
        #expect(cost["campaignId"] == "c-hot")
        let costEvents = cost["events"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
        #expect(Set(costEvents) == ["OrderPlaced", "OrderPaid", "CampaignBudgetConsumed"])
        let unbalanced = try #require(mismatches.first { $0["check"] == "unbalanced_entry" })
        #expect(unbalanced["amounts"]?["differenceFen"] == 100)
        let csv = try await world.send(.get, path + "&format=csv", key: world.analyst)
        let rows = csv.text.dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == 1 + 3, "\(csv.text)")
        #expect(rows.dropFirst().allSatisfy { $0.contains("pay:o-1") })
        let badDate = try await world.send(.get, "/v1/reports/reconciliation?date=2026-13-01", key: world.analyst)
        #expect(badDate.errorField == "date")
    }

    /// c-hot's window began years ago: nothing sold in the 14 days before it, 3 hot-pot units during it (o-1's two,
    /// o-3's one; o-4 was cancelled), 1 000 fen of discount over 3 extra units.
    static func uplift(_ world: World) async throws {
        let reply = try await world.send(
            .get, "/v1/reports/uplift?campaignId=c-hot&minPosition=\(world.lastPosition)", key: world.analyst)
        #expect(reply.status == .ok, "\(reply.text)")
        #expect(reply.json["before"]?["units"] == 0)
        #expect(reply.json["before"]?["days"] == 14)
        #expect(reply.json["during"]?["to"] == .string(world.today))
        #expect(reply.json["during"]?["units"] == 3)
        #expect(reply.json["during"]?["netFen"] == 10_970)
        #expect(reply.json["extraUnits"] == 3)
        #expect(reply.json["promotionCostFen"] == 1_000)
        #expect(reply.json["costPerExtraUnitFen"] == 333)
        let missing = try await world.send(.get, "/v1/reports/uplift", key: world.analyst)
        #expect(missing.errorField == "campaignId")
        let unknown = try await world.send(.get, "/v1/reports/uplift?campaignId=c-none", key: world.analyst)
        #expect(unknown.status == .notFound)
        let tooMany = try await world.send(
            .get, "/v1/reports/uplift?campaignId=c-hot&daysBefore=91", key: world.analyst)
        #expect(tooMany.errorField == "daysBefore")
        let csv = try await world.send(
            .get, "/v1/reports/uplift?campaignId=c-hot&daysBefore=1&format=csv", key: world.analyst)
        let rows = csv.text.dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.first == "campaign_id,day,period,units,net_yuan")
        #expect(rows.last == "c-hot,\(world.today),during,3,109.70")
    }

    /// Every report downloads as CSV: UTF-8 with a byte-order mark, a header, a row per item.
    static func everyReportAsCSV(_ world: World) async throws {
        let reports: [(String, String, String)] = [
            ("/v1/reports/stock", "sku,location,on_hand", "HP-001,s-cd-01,50"),
            ("/v1/budgets/c-hot", "campaign_id,budget,limit_yuan", "c-hot,discountFen,,10.00,0.00,10.00,,"),
            ("/v1/dashboards/campaigns/c-hot", "campaign_id,group,key", "c-hot,byChannel,online,1,1,79.80,10.00"),
            (
                "/v1/dashboards/campaigns?date=\(world.today)", "date,campaign_id,orders",
                "\(world.today),c-hot,1,1,79.80,10.00"
            ),
            ("/v1/alerts", "at,kind,subject,message", ""),
            ("/v1/customers?tag=new_customer", "date,customer_id,tags", "\(world.today),u-guest,new_customer,0,"),
            ("/v1/reports/sales?groupBy=channel", "day,channel,name", "\(world.today),store,store,1,25.90"),
            ("/v1/reports/uplift?campaignId=c-hot", "campaign_id,day,period", "c-hot,\(world.today),during,3"),
            ("/v1/reports/reconciliation", "date,check,order_id", ""),
            ("/v1/reports/journal", "date,entry,kind", "pay:o-1"),
        ]
        for (path, header, row) in reports {
            let separator = path.contains("?") ? "&" : "?"
            let csv = try await world.send(
                .get, path + separator + "format=csv&minPosition=\(world.lastPosition)", key: world.marketing)
            #expect(csv.status == .ok, "\(path): \(csv.text)")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8", "\(path)")
            #expect(csv.text.utf8.starts(with: [0xEF, 0xBB, 0xBF]), "\(path)")
            let lines = csv.text.dropFirst().components(separatedBy: "\r\n")
            #expect(lines.first?.hasPrefix(header) == true, "\(path): \(lines.first ?? "")")
            #expect(
                row.isEmpty || lines.dropFirst().contains { $0.contains(row) },
                "\(path): no row with \(row) in \(csv.text)")
        }
    }
}
