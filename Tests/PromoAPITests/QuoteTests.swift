import Foundation
import HTTPTypes
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

/// Quotes over HTTP. Each test's products are of a category of its own and its campaigns are scoped to it, so
/// the campaigns other tests activate in the shared database do not reach its lines.
@Suite("Quotes and simulations over HTTP")
struct QuoteTests {
    struct Shop {
        let marketing: String
        let channel: String
        let category: String
        let sku: String
        let storeId: String

        /// A product at 4 590 fen in a category of its own, and an online outlet.
        static func open() async throws -> Shop {
            let shop = Shop(
                marketing: try await APITest.key(.marketing), channel: try await APITest.key(.channel),
                category: APITest.id("cat"), sku: APITest.id("MD"), storeId: APITest.id("s"))
            try await APITest.withApp { client in
                let product = try await client.send(
                    .put, "/v1/products/\(shop.sku)", key: shop.marketing,
                    body: productBody(category: shop.category, priceFen: 4590))
                #expect(product.status == .created)
                let store = try await client.send(
                    .put, "/v1/stores/\(shop.storeId)", key: shop.marketing,
                    body: #"{"name":"官方商城","region":"national","channel":"online"}"#)
                #expect(store.status == .created)
            }
            return shop
        }

        func cart(_ quantity: Int, customer: String = "u-guest") -> String {
            """
            {"customerId":"\(customer)","channel":"online","storeId":"\(storeId)",\
            "lines":[{"sku":"\(sku)","quantity":\(quantity)}]}
            """
        }

        /// 满100减20 on this shop's category, with `extra` keys in the body.
        func spendReduction(_ id: String, extra: String = "") -> String {
            """
            {"campaignId":"\(id)","name":"满100减20","kind":"spend_reduction",\
            "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
            "scope":{"categories":["\(category)"]},"rules":{"tiers":[{"thresholdFen":10000,"reductionFen":2000}]}\(extra)}
            """
        }
    }

    @Test("An active campaign prices the cart; a draft does not; a channel key may quote")
    func activeOnly() async throws {
        let shop = try await Shop.open()
        let id = APITest.id("c")
        try await APITest.withApp { client in
            _ = try await client.send(.post, "/v1/campaigns", key: shop.marketing, body: shop.spendReduction(id))
            let draft = try await client.send(.post, "/v1/quotes", key: shop.channel, body: shop.cart(3))
            #expect(draft.status == .ok)
            #expect(draft.json["subtotalFen"] == 13_770)
            #expect(draft.json["totalFen"] == 13_770)

            _ = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: shop.marketing)
            let active = try await client.send(.post, "/v1/quotes", key: shop.channel, body: shop.cart(3))
            #expect(active.json["totalFen"] == 11_770)
            #expect(active.json["discountFen"] == 2_000)
            #expect(active.json["applied"]?[index: 0]?["campaignId"] == .string(id))
            #expect(active.json["lines"]?[index: 0]?["netFen"] == 11_770)

            // Short of the threshold: the hint says how much more.
            let short = try await client.send(.post, "/v1/quotes", key: shop.channel, body: shop.cart(2))
            #expect(short.json["totalFen"] == 9_180)
            #expect(short.json["hints"]?[index: 0]?["missingFen"] == 820)

            _ = try await client.send(.post, "/v1/campaigns/\(id)/pause", key: shop.marketing)
            let paused = try await client.send(.post, "/v1/quotes", key: shop.channel, body: shop.cart(3))
            #expect(paused.json["totalFen"] == 13_770)
        }
    }

    @Test("A simulation prices the cart with the campaign as if active and without it; nothing is written")
    func simulate() async throws {
        let shop = try await Shop.open()
        let id = APITest.id("c")
        try await APITest.withApp { client in
            _ = try await client.send(.post, "/v1/campaigns", key: shop.marketing, body: shop.spendReduction(id))
            let before = try await APITest.storedEvents("campaign-\(id)").count
            let reply = try await client.send(
                .post, "/v1/campaigns/\(id)/simulate", key: shop.marketing, body: #"{"cart":\#(shop.cart(3))}"#)
            #expect(reply.status == .ok)
            #expect(reply.json["status"] == "draft")
            #expect(reply.json["withCampaign"]?["totalFen"] == 11_770)
            #expect(reply.json["withoutCampaign"]?["totalFen"] == 13_770)
            #expect(reply.json["differenceFen"] == 2_000)
            #expect(try await APITest.storedEvents("campaign-\(id)").count == before)

            let missing = try await client.send(
                .post, "/v1/campaigns/\(id)-none/simulate", key: shop.marketing, body: #"{"cart":\#(shop.cart(3))}"#)
            #expect(missing.status == .notFound)
            let channel = try await client.send(
                .post, "/v1/campaigns/\(id)/simulate", key: shop.channel, body: #"{"cart":\#(shop.cart(3))}"#)
            #expect(channel.status == .forbidden)
        }
    }

    @Test("The customer's profile decides an audience: a gold-only campaign prices a gold customer's cart only")
    func audience() async throws {
        let shop = try await Shop.open()
        let id = APITest.id("c")
        let gold = APITest.id("u")
        try await APITest.withApp { client in
            let body = shop.spendReduction(id, extra: #","audience":{"tiers":["gold"]}"#)
            _ = try await client.send(.post, "/v1/campaigns", key: shop.marketing, body: body)
            _ = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: shop.marketing)
            let profile = CustomerTests.body.replacingOccurrences(of: #""tier":"silver""#, with: #""tier":"gold""#)
            #expect(
                try await client.send(.put, "/v1/customers/\(gold)", key: shop.channel, body: profile).status
                    == .created)

            let goldQuote = try await client.send(
                .post, "/v1/quotes", key: shop.channel, body: shop.cart(3, customer: gold))
            #expect(goldQuote.json["totalFen"] == 11_770)
            let guest = try await client.send(.post, "/v1/quotes", key: shop.channel, body: shop.cart(3))
            #expect(guest.json["totalFen"] == 13_770)
            #expect(guest.json["rejected"]?.arrayCount ?? 0 >= 1)
        }
    }

    @Test("Bad carts: unknown SKU or store is 422, a bad quantity or an unknown field is 400 naming it")
    func invalid() async throws {
        let shop = try await Shop.open()
        try await APITest.withApp { client in
            let sku = try await client.send(
                .post, "/v1/quotes", key: shop.channel,
                body: shop.cart(1).replacingOccurrences(of: shop.sku, with: "NO-SUCH"))
            #expect(sku.status == .unprocessableContent)
            #expect(sku.errorCode == "unknown_sku")
            #expect(sku.errorField == "lines[0].sku")
            let store = try await client.send(
                .post, "/v1/quotes", key: shop.channel,
                body: shop.cart(1).replacingOccurrences(of: shop.storeId, with: "s-nowhere"))
            #expect(store.status == .unprocessableContent)
            #expect(store.errorCode == "unknown_store")
            let zero = try await client.send(.post, "/v1/quotes", key: shop.channel, body: shop.cart(0))
            #expect(zero.status == .badRequest)
            #expect(zero.errorField == "lines[0].quantity")
            let extra = try await client.send(
                .post, "/v1/quotes", key: shop.channel,
                body: shop.cart(1).replacingOccurrences(of: #""quantity":1}"#, with: #""quantity":1,"qty":2}"#))
            #expect(extra.errorField == "lines[0].qty")
            let channel = try await client.send(
                .post, "/v1/quotes", key: shop.channel,
                body: shop.cart(1).replacingOccurrences(of: #""online""#, with: #""tv""#))
            #expect(channel.errorField == "channel")
        }
    }
}
