import Foundation
import HTTPTypes
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

/// The Idempotency-Key on every route that appends events (the router's write operations, from the OpenAPI
/// document, which a test keeps equal to the router): a repeat gets the first answer byte for byte and appends
/// nothing; the key with another body is a 409. Events are counted by the acting key (`actor`), a key of the
/// test's own, so other tests writing to the shared database at the same time do not count.
@Suite("Idempotency-Key on every write route")
struct IdempotentWriteTests {
    typealias Shop = QuoteTests.Shop

    /// A write route, with what must exist before it can succeed.
    struct Route: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        /// As the OpenAPI document spells it.
        var path: String
        var role: AccessRole
        /// Sets up what the write needs (with the shop's own keys, not the acting one) and gives its URI and body.
        var prepare: @Sendable (Client, Shop) async throws -> (uri: String, body: String)
        var testDescription: String { "\(method) \(path)" }

        /// A campaign of the shop created (and moved through `transitions`), for the routes that act on one.
        static func campaign(_ client: Client, _ shop: Shop, _ transitions: [String] = []) async throws -> String {
            let id = APITest.id("c")
            let created = try await client.send(
                .post, "/v1/campaigns", key: shop.marketing, body: shop.spendReduction(id))
            #expect(created.status == .created, "\(created.text)")
            for transition in transitions {
                let moved = try await client.send(.post, "/v1/campaigns/\(id)/\(transition)", key: shop.marketing)
                #expect(moved.status == .ok, "\(transition): \(moved.text)")
            }
            return id
        }

        /// An order of one unit (4 590 fen), placed and, when asked, paid.
        static func order(_ client: Client, _ shop: Shop, paid: Bool = false) async throws -> String {
            let id = APITest.id("o")
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: OrderTests.order(shop, id, quantity: 1))
            #expect(placed.status == .created, "\(placed.text)")
            #expect(placed.json["totalFen"] == 4_590)
            if paid {
                let payment = try await client.send(
                    .post, "/v1/orders/\(id)/payments", key: shop.channel,
                    body: #"{"amountFen":4590,"method":"wechat_pay"}"#)
                #expect(payment.status == .ok, "\(payment.text)")
            }
            return id
        }

        static let transitions: [String: [String]] = [
            "activate": [], "pause": ["activate"], "resume": ["activate", "pause"], "end": ["activate"], "cancel": [],
        ]

        static let all: [Route] =
            [
                .init(method: .put, path: "/v1/products/{sku}", role: .marketing) { _, _ in
                    ("/v1/products/\(APITest.id("T"))", productBody())
                },
                .init(method: .put, path: "/v1/stores/{storeId}", role: .marketing) { _, _ in
                    ("/v1/stores/\(APITest.id("s"))", #"{"name":"成都春熙路店","region":"sichuan","channel":"store"}"#)
                },
                .init(method: .post, path: "/v1/stock/{sku}/{location}/receipts", role: .marketing) { _, shop in
                    ("/v1/stock/\(shop.sku)/\(APITest.id("wh"))/receipts", #"{"quantity":120}"#)
                },
                .init(method: .post, path: "/v1/stock/{sku}/{location}/adjustments", role: .marketing) { _, shop in
                    ("/v1/stock/\(shop.sku)/\(shop.storeId)/adjustments", #"{"delta":5,"reason":"recount"}"#)
                },
                .init(method: .put, path: "/v1/stock/{sku}/{location}/safety-stock", role: .marketing) { _, shop in
                    ("/v1/stock/\(shop.sku)/\(shop.storeId)/safety-stock", #"{"quantity":20}"#)
                },
                .init(method: .put, path: "/v1/customers/{customerId}", role: .channel) { _, _ in
                    ("/v1/customers/\(APITest.id("u"))", CustomerTests.body)
                },
                .init(method: .put, path: "/v1/customers/{customerId}/tags", role: .marketing) { client, shop in
                    let customer = APITest.id("u")
                    let profile = try await client.send(
                        .put, "/v1/customers/\(customer)", key: shop.channel, body: CustomerTests.body)
                    #expect(profile.status == .created)
                    return ("/v1/customers/\(customer)/tags", #"{"tags":["vip"]}"#)
                },
                .init(method: .post, path: "/v1/campaigns", role: .marketing) { _, shop in
                    ("/v1/campaigns", shop.spendReduction(APITest.id("c")))
                },
                .init(method: .patch, path: "/v1/campaigns/{id}", role: .marketing) { client, shop in
                    let id = try await campaign(client, shop, ["activate"])
                    return ("/v1/campaigns/\(id)", #"{"rules":{"tiers":[{"thresholdFen":10000,"reductionFen":2500}]}}"#)
                },
                .init(method: .post, path: "/v1/campaigns/{id}/expenses", role: .marketing) { client, shop in
                    let id = try await campaign(client, shop)
                    return ("/v1/campaigns/\(id)/expenses", #"{"kind":"ads","amountFen":500000,"note":"抖音"}"#)
                },
                .init(method: .post, path: "/v1/coupon-templates", role: .marketing) { _, shop in
                    ("/v1/coupon-templates", CouponTests.template(APITest.id("t"), shop: shop))
                },
                .init(method: .post, path: "/v1/coupon-templates/{id}/issue", role: .marketing) { client, shop in
                    let id = APITest.id("t")
                    let defined = try await client.send(
                        .post, "/v1/coupon-templates", key: shop.marketing, body: CouponTests.template(id, shop: shop))
                    #expect(defined.status == .created)
                    return ("/v1/coupon-templates/\(id)/issue", #"{"customerIds":["\#(APITest.id("u"))"]}"#)
                },
                .init(method: .post, path: "/v1/orders", role: .channel) { _, shop in
                    ("/v1/orders", OrderTests.order(shop, APITest.id("o"), quantity: 1))
                },
                .init(method: .post, path: "/v1/orders/{id}/payments", role: .channel) { client, shop in
                    ("/v1/orders/\(try await order(client, shop))/payments", #"{"amountFen":4590,"method":"alipay"}"#)
                },
                .init(method: .post, path: "/v1/orders/{id}/cancel", role: .channel) { client, shop in
                    ("/v1/orders/\(try await order(client, shop))/cancel", #"{"reason":"顾客取消"}"#)
                },
                .init(method: .post, path: "/v1/orders/{id}/ship", role: .channel) { client, shop in
                    ("/v1/orders/\(try await order(client, shop))/ship", #"{"location":"\#(shop.storeId)"}"#)
                },
                .init(method: .post, path: "/v1/orders/{id}/refunds", role: .channel) { client, shop in
                    (
                        "/v1/orders/\(try await order(client, shop, paid: true))/refunds",
                        #"{"refundId":"r-1","lines":[{"sku":"\#(shop.sku)","quantity":1}]}"#
                    )
                },
            ]
            + CampaignTransition.allCases.map { transition in
                Route(method: .post, path: "/v1/campaigns/{id}/\(transition.rawValue)", role: .marketing) {
                    client, shop in
                    let id = try await campaign(client, shop, transitions[transition.rawValue] ?? [])
                    return ("/v1/campaigns/\(id)/\(transition.rawValue)", "{}")
                }
            }
    }

    /// Writes that append no events, so have nothing to repeat: a quote and a simulation price a cart, a rebuild
    /// starts (or finds running) a read model's rebuild.
    static let appendNothing: Set<String> = [
        "POST /v1/quotes", "POST /v1/campaigns/{id}/simulate", "POST /v1/projections/{name}/rebuild",
    ]

    @Test("The table below holds every write route of the router except those that append nothing")
    func everyWriteRoute() {
        let writes = Set(
            OpenAPIOperations.all.filter { $0.path.hasPrefix("/v1/") && $0.body != nil }.map {
                "\($0.method) \($0.path)"
            })
        let table = Route.all.map { "\($0.method.rawValue) \($0.path)" }
        #expect(table.count == Set(table).count)
        #expect(Set(table) == writes.subtracting(Self.appendNothing))
        #expect(Set(table).count == 22)
    }

    @Test(
        "Same Idempotency-Key and body: the first status and bytes, Idempotent-Replayed, no new event; another body: 409",
        arguments: Route.all)
    func repeatIsReplayed(route: Route) async throws {
        let (shop, _) = try await OrderTests.stocked(50)
        let acting = try await APITest.createdKey(route.role)
        try await APITest.withApp { client in
            let (uri, body) = try await route.prepare(client, shop)
            #expect(try await APITest.eventCount(actor: acting.keyId) == 0)
            let idempotencyKey = UUID().uuidString
            let first = try await client.send(
                route.method, uri, key: acting.secret, body: body, idempotencyKey: idempotencyKey)
            #expect(first.status.code / 100 == 2, "\(first.text)")
            #expect(first.json["position"]?.intValue ?? 0 > 0, "\(first.text)")
            #expect(first.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            let written = try await APITest.eventCount(actor: acting.keyId)
            #expect(written >= 1)

            let again = try await client.send(
                route.method, uri, key: acting.secret, body: body, idempotencyKey: idempotencyKey)
            #expect(again.status == first.status)
            #expect(again.text == first.text)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try await APITest.eventCount(actor: acting.keyId) == written)

            let other = try await client.send(
                route.method, uri, key: acting.secret, body: body + " ", idempotencyKey: idempotencyKey)
            #expect(other.status == .conflict)
            #expect(other.errorCode == "idempotency_key_reused")
            #expect(try await APITest.eventCount(actor: acting.keyId) == written)
        }
    }

    @Test("Every event an order appends, on the order, stock, campaign and customer streams, names the key as actor")
    func orderEventsNameTheActor() async throws {
        let (shop, campaign) = try await OrderTests.stocked(10, campaign: OrderTests.reduction(budget: 4_000))
        let campaignId = try #require(campaign)
        let acting = try await APITest.createdKey(.channel)
        let (customer, orderId) = (APITest.id("u"), APITest.id("o"))
        try await APITest.withApp { client in
            let profile = try await client.send(
                .put, "/v1/customers/\(customer)", key: shop.channel, body: CustomerTests.body)
            #expect(profile.status == .created)
            let streams = [
                "order-\(orderId)", "stock-\(shop.sku)@\(shop.storeId)", "campaign-\(campaignId)",
                "customer-\(customer)",
            ]
            var before: [String: Int] = [:]
            for stream in streams { before[stream] = try await APITest.storedEvents(stream).count }
            let placed = try await client.send(
                .post, "/v1/orders", key: acting.secret,
                body: OrderTests.order(shop, orderId, quantity: 3, customer: customer), idempotencyKey: "place-1")
            #expect(placed.status == .created, "\(placed.text)")
            #expect(placed.json["totalFen"] == 11_770)
            var appended = 0
            for stream in streams {
                let new = try await APITest.storedEvents(stream).dropFirst(before[stream] ?? 0)
                #expect(!new.isEmpty, "\(stream) got nothing")
                for event in new {
                    let metadata = try JSONValue(parsing: event.metadata)
                    #expect(metadata["actor"] == .string(acting.keyId), "\(stream) \(event.type)")
                    #expect(metadata["commandId"] == .string("\(acting.keyId):place-1"), "\(stream) \(event.type)")
                }
                appended += new.count
            }
            // OrderPlaced, StockReserved, CampaignBudgetConsumed, CustomerOrderRecorded: all of them the key's.
            #expect(appended == 4)
            #expect(try await APITest.eventCount(actor: acting.keyId) == 4)
        }
    }
}
