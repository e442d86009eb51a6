import Foundation
import HTTPTypes
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

/// What an order records and where: points rebates granted on payment, SKUs the catalog does not have, the
/// location a store fulfils from, the campaign version it was priced with. On a shop of its own (`QuoteTests.Shop`:
/// one product at 4 590 fen).
@Suite("Orders: rebates, unknown SKUs, fulfilment location, campaign versions")
struct OrderRecordTests {
    typealias Shop = QuoteTests.Shop

    /// The customer's points balance, folded from their account's stream.
    static func balance(_ customer: String) async throws -> Int {
        var account = PointsAccount()
        for event in try await APITest.storedEvents("points-\(customer)") {
            try account.evolve(type: event.type, payload: JSONValue(parsing: event.payload))
        }
        return account.balance
    }

    @Test("满返积分: paying an order that reached a points rebate credits its 500 points beside the 137 earned")
    func pointsRebate() async throws {
        // 满100返500积分 on the shop's category.
        let (shop, campaign) = try await OrderTests.stocked(10) { shop in
            """
            {"campaignId":"\(APITest.id("c"))","name":"满100返500积分","kind":"rebate",\
            "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
            "scope":{"categories":["\(shop.category)"]},"rules":{"thresholdFen":10000,"points":500}}
            """
        }
        #expect(campaign != nil)
        let customer = APITest.id("u")
        let (rebated, short) = (APITest.id("o"), APITest.id("o"))
        try await APITest.withApp { client in
            // 3 × 4 590 = 13 770 fen reaches 100 yuan: no discount, 137 points earned and 500 by the rebate.
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: OrderTests.order(shop, rebated, quantity: 3, customer: customer))
            #expect(placed.status == .created, "\(placed.text)")
            #expect(placed.json["totalFen"] == 13_770)
            #expect(placed.json["pointsToEarn"] == 137)
            #expect(try await APITest.storedEvents("points-\(customer)").isEmpty)
            let paid = try await client.send(
                .post, "/v1/orders/\(rebated)/payments", key: shop.channel,
                body: #"{"amountFen":13770,"method":"wechat_pay"}"#)
            #expect(paid.status == .ok, "\(paid.text)")
            let credited = try await APITest.storedEvents("points-\(customer)")
            #expect(credited.map(\.type) == ["PointsEarned", "PointsEarned"])
            let payloads = try credited.map { try JSONValue(parsing: $0.payload) }
            #expect(payloads.map { $0["source"]?.stringValue ?? "" } == ["order", "rebate"])
            #expect(payloads.map { $0["points"]?.intValue ?? 0 } == [137, 500])
            #expect(payloads.allSatisfy { $0["orderId"] == .string(rebated) })
            #expect(try await Self.balance(customer) == 637)
            // The API agrees: 638 points are one too many, and the refusal names the balance.
            let greedy = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: OrderTests.order(
                    shop, APITest.id("o"), quantity: 1, customer: customer, extra: #","pointsToRedeem":638"#))
            #expect(greedy.status == .conflict)
            #expect(greedy.errorCode == "insufficient_points")
            #expect(greedy.json["error"]?["details"]?["balance"] == 637)

            // 2 × 4 590 = 9 180 fen is short of the threshold: only the 91 points earned.
            _ = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: OrderTests.order(shop, short, quantity: 2, customer: customer))
            let paidShort = try await client.send(
                .post, "/v1/orders/\(short)/payments", key: shop.channel,
                body: #"{"amountFen":9180,"method":"wechat_pay"}"#)
            #expect(paidShort.status == .ok, "\(paidShort.text)")
            #expect(try await Self.balance(customer) == 728)
            #expect(try await APITest.storedEvents("points-\(customer)").count == 3)
        }
    }

    @Test("An order naming a SKU the catalog does not have is a 422 unknown_sku naming it, and nothing is written")
    func unknownSKU() async throws {
        let (shop, _) = try await OrderTests.stocked(10)
        let acting = try await APITest.createdKey(.channel)
        let (orderId, missing) = (APITest.id("o"), APITest.id("NOPE"))
        try await APITest.withApp { client in
            let body = OrderTests.order(shop, orderId, quantity: 1).replacingOccurrences(
                of: #""lines":[{"sku":"\#(shop.sku)","quantity":1}]"#,
                with: #""lines":[{"sku":"\#(shop.sku)","quantity":1},{"sku":"\#(missing)","quantity":2}]"#)
            #expect(body.contains(missing))
            let refused = try await client.send(.post, "/v1/orders", key: acting.secret, body: body)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.errorCode == "unknown_sku")
            #expect(refused.json["error"]?["details"]?["sku"] == .string(missing))
            #expect(refused.json["error"]?["details"]?["field"] == "lines[1].sku")
            #expect(try await APITest.storedEvents("order-\(orderId)").isEmpty)
            #expect(
                try await APITest.storedEvents("stock-\(shop.sku)@\(shop.storeId)").map(\.type) == ["StockReceived"])
            #expect(try await APITest.eventCount(actor: acting.keyId) == 0)
            let read = try await client.send(.get, "/v1/orders/\(orderId)", key: shop.channel)
            #expect(read.status == .notFound)
        }
    }

    @Test("A store that fulfils from a depot: its orders reserve stock at the depot, none at the store's own id")
    func fulfilmentLocation() async throws {
        let shop = try await Shop.open()
        let (store, depot) = (APITest.id("s"), APITest.id("wh"))
        let orderId = APITest.id("o")
        try await APITest.withApp { client in
            let defined = try await client.send(
                .put, "/v1/stores/\(store)", key: shop.marketing,
                body: #"{"name":"春熙路自提点","region":"sichuan","channel":"online","fulfilmentLocation":"\#(depot)"}"#)
            #expect(defined.status == .created, "\(defined.text)")
            let receipt = try await client.send(
                .post, "/v1/stock/\(shop.sku)/\(depot)/receipts", key: shop.marketing, body: #"{"quantity":10}"#)
            #expect(receipt.status == .ok)
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: OrderTests.order(shop, orderId, quantity: 2).replacingOccurrences(
                    of: #""storeId":"\#(shop.storeId)""#, with: #""storeId":"\#(store)""#))
            #expect(placed.status == .created, "\(placed.text)")
            #expect(placed.json["fulfilmentLocation"] == .string(depot))
            #expect(placed.json["totalFen"] == 9_180)
            let stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(stock.json["locations"]?[depot]?["onHand"] == 10)
            #expect(stock.json["locations"]?[depot]?["reserved"] == 2)
            #expect(stock.json["locations"]?[depot]?["available"] == 8)
            #expect(stock.json["locations"]?[store] == nil, "\(stock.text)")
            #expect(try await APITest.storedEvents("stock-\(shop.sku)@\(store)").isEmpty)
            #expect(
                try await APITest.storedEvents("stock-\(shop.sku)@\(depot)").map(\.type) == [
                    "StockReceived", "StockReserved",
                ])
        }
    }

    @Test("PATCHes of scope and of budget are versions 2 and 3 of the campaign; an order after them records version 3")
    func patchedVersions() async throws {
        let (shop, campaign) = try await OrderTests.stocked(20, campaign: OrderTests.reduction(budget: 4_000))
        let id = try #require(campaign)
        try await APITest.withApp { client in
            let scope = try await client.send(
                .patch, "/v1/campaigns/\(id)", key: shop.marketing,
                body: #"{"scope":{"categories":["\#(shop.category)"],"channels":["online"]}}"#)
            #expect(scope.status == .ok, "\(scope.text)")
            #expect(scope.json["definitionVersion"] == 2)
            let budget = try await client.send(
                .patch, "/v1/campaigns/\(id)", key: shop.marketing, body: #"{"budget":{"discountFen":6000}}"#)
            #expect(budget.status == .ok, "\(budget.text)")
            #expect(budget.json["definitionVersion"] == 3)

            let versions = try await client.send(.get, "/v1/campaigns/\(id)/versions", key: shop.marketing)
            #expect(versions.json["versions"]?.arrayCount == 3)
            #expect(versions.json["versions"]?[index: 1]?["changed"] == ["scope"])
            #expect(versions.json["versions"]?[index: 2]?["changed"] == ["budget"])
            #expect(versions.json["versions"]?[index: 1]?["definition"]?["scope"]?["channels"] == ["online"])
            #expect(versions.json["versions"]?[index: 1]?["definition"]?["budget"]?["discountFen"] == 4_000)
            #expect(versions.json["versions"]?[index: 2]?["definition"]?["budget"]?["discountFen"] == 6_000)

            let orderId = APITest.id("o")
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: OrderTests.order(shop, orderId, quantity: 3))
            #expect(placed.json["totalFen"] == 11_770)
            let recorded = try JSONValue(
                parsing: try #require(try await APITest.storedEvents("order-\(orderId)").first).payload)
            #expect(recorded["campaigns"]?[index: 0]?["campaignId"] == .string(id))
            #expect(recorded["campaigns"]?[index: 0]?["definitionVersion"] == 3)
            let read = try await client.send(.get, "/v1/campaigns/\(id)", key: shop.marketing)
            #expect(read.json["budget"]?["left"]?["discountFen"] == 4_000)
        }
    }
}
