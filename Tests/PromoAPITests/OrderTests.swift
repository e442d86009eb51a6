import Foundation
import HTTPTypes
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

/// Orders over HTTP, on a shop of their own (see `QuoteTests.Shop`): one product at 4 590 fen, an online outlet
/// that fulfils from its own stock.
@Suite("Orders over HTTP")
struct OrderTests {
    typealias Shop = QuoteTests.Shop

    /// The shop with `units` on hand and, when given, an active campaign.
    static func stocked(_ units: Int, campaign: ((Shop) -> String)? = nil) async throws -> (Shop, String?) {
        let shop = try await Shop.open()
        let body = campaign?(shop)
        let campaignId = try body.map { try JSONValue(parsing: Array($0.utf8))["campaignId"]?.stringValue } ?? nil
        try await APITest.withApp { client in
            let receipt = try await client.send(
                .post, "/v1/stock/\(shop.sku)/\(shop.storeId)/receipts", key: shop.marketing,
                body: #"{"quantity":\#(units)}"#)
            #expect(receipt.status == .ok)
            if let body, let campaignId {
                let created = try await client.send(.post, "/v1/campaigns", key: shop.marketing, body: body)
                #expect(created.status == .created)
                let active = try await client.send(.post, "/v1/campaigns/\(campaignId)/activate", key: shop.marketing)
                #expect(active.json["status"] == "active")
            }
        }
        return (shop, campaignId)
    }

    static func order(_ shop: Shop, _ orderId: String, quantity: Int, customer: String = "u-guest", extra: String = "")
        -> String
    {
        shop.cart(quantity, customer: customer).replacingOccurrences(
            of: #"{"customerId""#, with: #"{"orderId":"\#(orderId)","paymentMethod":"wechat_pay"\#(extra),"customerId""#
        )
    }

    /// 满100减20 on the shop's category with a discount budget of `budget` fen.
    static func reduction(budget: Int) -> (Shop) -> String {
        { shop in shop.spendReduction(APITest.id("c"), extra: #","budget":{"discountFen":\#(budget)}"#) }
    }

    @Test("An order is priced, reserves its units and consumes the campaign's budget, all at once; GET reads it")
    func place() async throws {
        let (shop, campaign) = try await Self.stocked(10, campaign: Self.reduction(budget: 4_000))
        let id = APITest.id("o")
        try await APITest.withApp { client in
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, id, quantity: 3))
            #expect(placed.status == .created)
            #expect(placed.json["status"] == "placed")
            #expect(placed.json["totalFen"] == 11_770)
            #expect(placed.json["discountFen"] == 2_000)
            #expect(placed.json["fulfilmentLocation"] == .string(shop.storeId))

            let stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(stock.json["locations"]?[shop.storeId]?["reserved"] == 3)
            #expect(stock.json["locations"]?[shop.storeId]?["available"] == 7)
            let budget = try await client.send(.get, "/v1/campaigns/\(campaign ?? "")", key: shop.marketing)
            #expect(budget.json["budget"]?["consumed"]?["discountFen"] == 2_000)
            #expect(budget.json["budget"]?["left"]?["discountFen"] == 2_000)
            #expect(budget.json["usage"]?["orders"] == 1)

            let read = try await client.send(.get, "/v1/orders/\(id)", key: shop.channel)
            #expect(read.json["totalFen"] == 11_770)
            // The stored record gives the quote back as refunds will read it: returning all 3 units refunds 11 770.
            let stored = try JSONValue(
                parsing: try #require(try await APITest.storedEvents("order-\(id)").first).payload)
            let recorded = try Quote(record: try #require(stored["record"]))
            #expect(try recorded.refund(ReturnedUnits(lines: [shop.sku: 3])).refundFen == 11_770)
            #expect(
                try recorded.refund(ReturnedUnits(lines: [shop.sku: 1])).budgetRelease(campaignId: campaign ?? "")
                    .discountFen == 666)
            #expect(read.json["lines"]?[index: 0]?["netFen"] == 11_770)
            let again = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, id, quantity: 1))
            #expect(again.status == .conflict)
            #expect(again.errorCode == "order_exists")
            #expect(try await APITest.storedEvents("order-\(id)").map(\.type) == ["OrderPlaced"])
            #expect(try await client.send(.get, "/v1/orders/\(id)-none", key: shop.channel).status == .notFound)
        }
    }

    @Test("Too few units: 409 insufficient_stock, and neither the order, the stock nor the budget is written")
    func insufficientStock() async throws {
        let (shop, campaign) = try await Self.stocked(2, campaign: Self.reduction(budget: 4_000))
        let id = APITest.id("o")
        try await APITest.withApp { client in
            let refused = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, id, quantity: 3))
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "insufficient_stock")
            #expect(refused.json["error"]?["details"]?["sku"] == .string(shop.sku))
            #expect(try await APITest.storedEvents("order-\(id)").isEmpty)
            #expect(
                try await APITest.storedEvents("stock-\(shop.sku)@\(shop.storeId)").map(\.type) == ["StockReceived"])
            #expect(
                try await APITest.storedEvents("campaign-\(campaign ?? "")").map(\.type).contains(
                    "CampaignBudgetConsumed") == false)
        }
    }

    @Test("A budget spent: the next order is placed without it, or refused as price_changed when a total was expected")
    func priceChanged() async throws {
        let (shop, campaign) = try await Self.stocked(20, campaign: Self.reduction(budget: 2_000))
        try await APITest.withApp { client in
            let first = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, APITest.id("o"), quantity: 3))
            #expect(first.json["totalFen"] == 11_770)
            let id = APITest.id("o")
            let changed = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.order(shop, id, quantity: 3, extra: #","expectedTotalFen":11770"#))
            #expect(changed.status == .conflict)
            #expect(changed.errorCode == "price_changed")
            #expect(changed.json["error"]?["details"]?["totalFen"] == 13_770)
            #expect(changed.json["error"]?["details"]?["cause"] == .string("\(campaign ?? ""): budget_exhausted"))
            #expect(changed.json["error"]?["details"]?["quote"]?["totalFen"] == 13_770)
            #expect(try await APITest.storedEvents("order-\(id)").isEmpty)
            let plain = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, id, quantity: 3))
            #expect(plain.status == .created)
            #expect(plain.json["totalFen"] == 13_770)
        }
    }

    @Test("Concurrent orders never overspend a budget: with room for two discounts, exactly two orders get one")
    func concurrentBudget() async throws {
        let (shop, campaign) = try await Self.stocked(100, campaign: Self.reduction(budget: 4_000))
        try await APITest.withApp { client in
            let totals = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await client.send(
                            .post, "/v1/orders", key: shop.channel, body: Self.order(shop, APITest.id("o"), quantity: 3)
                        )
                    }
                }
                var replies: [Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            #expect(totals.allSatisfy { $0.status == .created })
            #expect(totals.filter { $0.json["totalFen"] == 11_770 }.count == 2)
            #expect(totals.filter { $0.json["totalFen"] == 13_770 }.count == 4)
            let budget = try await client.send(.get, "/v1/campaigns/\(campaign ?? "")", key: shop.marketing)
            #expect(budget.json["budget"]?["consumed"]?["discountFen"] == 4_000)
            let stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(stock.json["locations"]?[shop.storeId]?["reserved"] == 18)
        }
    }

    @Test("Cancel gives back the reservation, the budget and the usage; again is a no-op; after shipping it is refused")
    func cancel() async throws {
        let (shop, campaign) = try await Self.stocked(10, campaign: Self.reduction(budget: 4_000))
        let (kept, dropped) = (APITest.id("o"), APITest.id("o"))
        try await APITest.withApp { client in
            _ = try await client.send(.post, "/v1/orders", key: shop.channel, body: Self.order(shop, kept, quantity: 3))
            _ = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, dropped, quantity: 2))
            let cancelled = try await client.send(
                .post, "/v1/orders/\(kept)/cancel", key: shop.channel, body: #"{"reason":"顾客取消"}"#)
            #expect(cancelled.status == .ok)
            #expect(cancelled.json["status"] == "cancelled")
            let stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(stock.json["locations"]?[shop.storeId]?["reserved"] == 2)
            #expect(stock.json["locations"]?[shop.storeId]?["available"] == 8)
            let budget = try await client.send(.get, "/v1/campaigns/\(campaign ?? "")", key: shop.marketing)
            #expect(budget.json["budget"]?["consumed"]?["discountFen"] == 0)
            #expect(budget.json["usage"]?["orders"] == 0)

            let again = try await client.send(.post, "/v1/orders/\(kept)/cancel", key: shop.channel)
            #expect(again.status == .ok)
            #expect(try await APITest.storedEvents("order-\(kept)").map(\.type) == ["OrderPlaced", "OrderCancelled"])
            #expect(try await client.send(.get, "/v1/orders/\(kept)", key: shop.channel).json["status"] == "cancelled")
            let shipCancelled = try await client.send(
                .post, "/v1/orders/\(kept)/ship", key: shop.channel, body: #"{"location":"\#(shop.storeId)"}"#)
            #expect(shipCancelled.errorCode == "order_cancelled")

            let shipped = try await client.send(
                .post, "/v1/orders/\(dropped)/ship", key: shop.channel, body: #"{"location":"\#(shop.storeId)"}"#)
            #expect(shipped.json["status"] == "shipped")
            let after = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(after.json["locations"]?[shop.storeId]?["onHand"] == 8)
            #expect(after.json["locations"]?[shop.storeId]?["reserved"] == 0)
            let late = try await client.send(.post, "/v1/orders/\(dropped)/cancel", key: shop.channel)
            #expect(late.status == .conflict)
            #expect(late.errorCode == "order_shipped")
            // Shipped already: not again from somewhere else.
            let elsewhere = try await client.send(
                .post, "/v1/orders/\(dropped)/ship", key: shop.channel, body: #"{"location":"wh-nowhere"}"#)
            #expect(elsewhere.errorCode == "order_shipped")
            let twice = try await client.send(
                .post, "/v1/orders/\(dropped)/ship", key: shop.channel, body: #"{"location":"\#(shop.storeId)"}"#)
            #expect(twice.status == .ok)
            #expect(
                try await APITest.storedEvents("stock-\(shop.sku)@\(shop.storeId)").map(\.type).filter {
                    $0 == "StockIssued"
                }
                .count == 1)
            #expect(
                try await client.send(.post, "/v1/orders/\(dropped)-none/cancel", key: shop.channel).status == .notFound
            )
        }
    }

    @Test(
        "A first-order campaign discounts a customer's first order only; cancelling it makes the next one first again; a guest is always new"
    )
    func firstOrderOnly() async throws {
        let (shop, _) = try await Self.stocked(20) { shop in
            shop.spendReduction(APITest.id("c"), extra: #","limits":{"firstOrderOnly":true}"#)
        }
        let customer = APITest.id("u")
        let (first, second, third) = (APITest.id("o"), APITest.id("o"), APITest.id("o"))
        try await APITest.withApp { client in
            // Orders are counted for customers with a profile; a guest is new on every order.
            let profile = try await client.send(
                .put, "/v1/customers/\(customer)", key: shop.channel, body: CustomerTests.body)
            #expect(profile.status == .created)
            // 3 × 4 590 = 13 770 fen, 满100减20 on a first order: 11 770.
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, first, quantity: 3, customer: customer))
            #expect(placed.json["totalFen"] == 11_770)
            let again = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, second, quantity: 3, customer: customer))
            #expect(again.json["totalFen"] == 13_770)
            let quote = try await client.send(
                .post, "/v1/quotes", key: shop.channel, body: shop.cart(3, customer: customer))
            #expect(quote.json["totalFen"] == 13_770)
            #expect(quote.text.contains("not_first_order"), "\(quote.text)")
            // Both cancelled: the customer has no orders, and the next is a first order again.
            for id in [first, second] {
                #expect(try await client.send(.post, "/v1/orders/\(id)/cancel", key: shop.channel).status == .ok)
            }
            let fresh = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, third, quantity: 3, customer: customer))
            #expect(fresh.json["totalFen"] == 11_770)
            #expect(
                try await APITest.storedEvents("customer-\(customer)").map(\.type) == [
                    "CustomerProfileSet", "CustomerOrderRecorded", "CustomerOrderRecorded", "CustomerOrderWithdrawn",
                    "CustomerOrderWithdrawn",
                    "CustomerOrderRecorded",
                ])
            // A guest (no profile) is new on every order, and nothing is written on their id's stream.
            let guest = APITest.id("guest")
            for _ in 0..<2 {
                let order = try await client.send(
                    .post, "/v1/orders", key: shop.channel,
                    body: Self.order(shop, APITest.id("o"), quantity: 3, customer: guest))
                #expect(order.json["totalFen"] == 11_770)
            }
            #expect(try await APITest.storedEvents("customer-\(guest)").isEmpty)
        }
    }

    @Test(
        "Shipping from another location releases the reservation at home and issues the units there; a refund restocks there"
    )
    func shipFromElsewhere() async throws {
        let (shop, _) = try await Self.stocked(10)
        let (orderId, short) = (APITest.id("o"), APITest.id("o"))
        let warehouse = APITest.id("wh")
        try await APITest.withApp { client in
            _ = try await client.send(
                .post, "/v1/stock/\(shop.sku)/\(warehouse)/receipts", key: shop.marketing, body: #"{"quantity":5}"#)
            for (id, quantity) in [(orderId, 3), (short, 6)] {
                let placed = try await client.send(
                    .post, "/v1/orders", key: shop.channel, body: Self.order(shop, id, quantity: quantity))
                #expect(placed.status == .created)
            }
            // Six units are not at the warehouse: refused, and nothing moves.
            let refused = try await client.send(
                .post, "/v1/orders/\(short)/ship", key: shop.channel, body: #"{"location":"\#(warehouse)"}"#)
            #expect(refused.errorCode == "insufficient_stock")
            #expect(try await APITest.storedEvents("order-\(short)").map(\.type) == ["OrderPlaced"])

            let shipped = try await client.send(
                .post, "/v1/orders/\(orderId)/ship", key: shop.channel, body: #"{"location":"\#(warehouse)"}"#)
            #expect(shipped.json["status"] == "shipped", "\(shipped.text)")
            #expect(shipped.json["shippedFrom"] == .string(warehouse))
            let stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            // Home: 10 on hand, only the short order's 6 still reserved. Warehouse: 5 − 3 issued.
            #expect(stock.json["locations"]?[shop.storeId]?["onHand"] == 10)
            #expect(stock.json["locations"]?[shop.storeId]?["reserved"] == 6)
            #expect(stock.json["locations"]?[warehouse]?["onHand"] == 2)
            #expect(stock.json["locations"]?[warehouse]?["reserved"] == 0)
            let again = try await client.send(
                .post, "/v1/orders/\(orderId)/ship", key: shop.channel, body: #"{"location":"\#(warehouse)"}"#)
            #expect(again.status == .ok)
            let home = try await client.send(
                .post, "/v1/orders/\(orderId)/ship", key: shop.channel, body: #"{"location":"\#(shop.storeId)"}"#)
            #expect(home.errorCode == "order_shipped")

            _ = try await client.send(
                .post, "/v1/orders/\(orderId)/payments", key: shop.channel,
                body: #"{"amountFen":13770,"method":"wechat_pay"}"#)
            let refund = try await client.send(
                .post, "/v1/orders/\(orderId)/refunds", key: shop.channel,
                body: #"{"refundId":"r-1","lines":[{"sku":"\#(shop.sku)","quantity":1,"restock":true}]}"#)
            #expect(refund.status == .created, "\(refund.text)")
            let after = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(after.json["locations"]?[warehouse]?["onHand"] == 3)
            #expect(after.json["locations"]?[shop.storeId]?["onHand"] == 10)
        }
    }

    @Test("Budget alert thresholds are recorded with the order that crosses them; the order names the campaign version")
    func thresholds() async throws {
        let (shop, campaign) = try await Self.stocked(20) { shop in
            shop.spendReduction(
                APITest.id("c"), extra: #","budget":{"discountFen":4000},"alerts":{"budgetThresholds":[0.5,1.0]}"#)
        }
        let id = try #require(campaign)
        try await APITest.withApp { client in
            let first = APITest.id("o")
            _ = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, first, quantity: 3))
            var types = try await APITest.storedEvents("campaign-\(id)").map(\.type)
            #expect(types.suffix(2) == ["CampaignBudgetConsumed", "CampaignBudgetThresholdCrossed"])
            _ = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, APITest.id("o"), quantity: 3))
            let events = try await APITest.storedEvents("campaign-\(id)")
            types = events.map(\.type)
            #expect(types.filter { $0 == "CampaignBudgetThresholdCrossed" }.count == 2)
            let last = try JSONValue(parsing: try #require(events.last).payload)
            #expect(last["thresholdBp"] == 10_000)
            #expect(last["consumedFen"] == 4_000)
            // A third order finds the budget spent: no discount, no alert.
            _ = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, APITest.id("o"), quantity: 3))
            #expect(try await APITest.storedEvents("campaign-\(id)").count == events.count)
            let order = try await APITest.storedEvents("order-\(first)")
            #expect(try JSONValue(parsing: order[0].payload)["campaigns"]?[index: 0]?["definitionVersion"] == 1)
        }
    }

    @Test("GET /metrics counts orders by outcome, appended events, and times requests by route and status")
    func metrics() async throws {
        let (shop, _) = try await Self.stocked(2)
        try await APITest.withApp { client in
            _ = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, APITest.id("o"), quantity: 1))
            _ = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, APITest.id("o"), quantity: 5))
            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains(#"promoledger_orders_total{outcome="placed"} 1"#))
            #expect(text.contains(#"promoledger_orders_total{outcome="insufficient_stock"} 1"#))
            // The placed order's OrderPlaced and StockReserved (a guest's orders are not counted on their stream).
            #expect(text.contains("promoledger_events_appended_total 2"))
            #expect(text.contains(#"route="/v1/orders",method="POST",status="201""#))
            #expect(text.contains(#"route="/v1/orders",method="POST",status="409""#))
        }
    }

    @Test("Paying credits the points the order earns; points pay part of the next order; cancelling gives them back")
    func payAndPoints() async throws {
        let (shop, _) = try await Self.stocked(20)
        let customer = APITest.id("u")
        let (first, second) = (APITest.id("o"), APITest.id("o"))
        try await APITest.withApp { client in
            _ = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, first, quantity: 3, customer: customer))
            let short = try await client.send(
                .post, "/v1/orders/\(first)/payments", key: shop.channel,
                body: #"{"amountFen":100,"method":"wechat_pay"}"#)
            #expect(short.status == .unprocessableContent)
            #expect(short.errorCode == "amount_mismatch")
            let paid = try await client.send(
                .post, "/v1/orders/\(first)/payments", key: shop.channel,
                body: #"{"amountFen":13770,"method":"wechat_pay","reference":"4200001"}"#)
            #expect(paid.status == .ok)
            #expect(paid.json["status"] == "paid")
            let twice = try await client.send(
                .post, "/v1/orders/\(first)/payments", key: shop.channel,
                body: #"{"amountFen":13770,"method":"wechat_pay"}"#)
            #expect(twice.errorCode == "already_paid")
            // 137.70 yuan earns 137 points, 1 point per whole yuan.
            let earned = try await APITest.storedEvents("points-\(customer)")
            #expect(earned.map(\.type) == ["PointsEarned"])
            #expect(try JSONValue(parsing: earned[0].payload)["points"] == 137)

            let greedy = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.order(shop, APITest.id("o"), quantity: 1, customer: customer)
                    .replacingOccurrences(of: #""lines""#, with: #""pointsToRedeem":200,"lines""#))
            #expect(greedy.status == .conflict)
            #expect(greedy.errorCode == "insufficient_points")
            let withPoints = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.order(shop, second, quantity: 1, customer: customer)
                    .replacingOccurrences(of: #""lines""#, with: #""pointsToRedeem":137,"lines""#))
            #expect(withPoints.status == .created)
            #expect(withPoints.json["totalFen"] == 4_453)
            #expect(withPoints.json["pointsRedeemed"] == 137)

            _ = try await client.send(.post, "/v1/orders/\(second)/cancel", key: shop.channel)
            #expect(
                try await APITest.storedEvents("points-\(customer)").map(\.type)
                    == ["PointsEarned", "PointsRedeemed", "PointsReturned"])
            let quote = try await client.send(
                .post, "/v1/quotes", key: shop.channel,
                body: shop.cart(1, customer: customer).replacingOccurrences(
                    of: #""lines""#, with: #""pointsToRedeem":137,"lines""#))
            #expect(quote.json["totalFen"] == 4_453)
            let cancelledPay = try await client.send(
                .post, "/v1/orders/\(second)/payments", key: shop.channel,
                body: #"{"amountFen":4453,"method":"wechat_pay"}"#)
            #expect(cancelledPay.errorCode == "order_cancelled")
        }
    }

    @Test("Place, pay, ship, refund one unit written off, refund the rest restocked: everything returns exactly")
    func refunds() async throws {
        let (shop, campaign) = try await Self.stocked(10, campaign: Self.reduction(budget: 4_000))
        let customer = APITest.id("u")
        let id = APITest.id("o")
        try await APITest.withApp { client in
            _ = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, id, quantity: 3, customer: customer))
            let early = try await client.send(
                .post, "/v1/orders/\(id)/refunds", key: shop.channel,
                body: #"{"refundId":"r-0","lines":[{"sku":"\#(shop.sku)","quantity":1}]}"#)
            #expect(early.errorCode == "not_paid")
            _ = try await client.send(
                .post, "/v1/orders/\(id)/payments", key: shop.channel, body: #"{"amountFen":11770,"method":"alipay"}"#)
            _ = try await client.send(
                .post, "/v1/orders/\(id)/ship", key: shop.channel, body: #"{"location":"\#(shop.storeId)"}"#)

            // 2 000 off over three units at 4 590: nets 3 923, 3 923, 3 924; the last unit comes back first.
            let one = try await client.send(
                .post, "/v1/orders/\(id)/refunds", key: shop.channel,
                body: #"{"refundId":"r-1","lines":[{"sku":"\#(shop.sku)","quantity":1}]}"#)
            #expect(one.status == .created)
            #expect(one.json["refundFen"] == 3_924)
            #expect(one.json["pointsClawedBack"] == 39)
            #expect(one.json["lines"]?[index: 0]?["reversedAdjustments"]?[index: 0]?["amountFen"] == 666)
            let again = try await client.send(
                .post, "/v1/orders/\(id)/refunds", key: shop.channel,
                body: #"{"refundId":"r-1","lines":[{"sku":"\#(shop.sku)","quantity":1}]}"#)
            #expect(again.errorCode == "refund_exists")
            var stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(stock.json["locations"]?[shop.storeId]?["onHand"] == 7)  // written off

            let rest = try await client.send(
                .post, "/v1/orders/\(id)/refunds", key: shop.channel,
                body: #"{"refundId":"r-2","lines":[{"sku":"\#(shop.sku)","quantity":2,"restock":true}]}"#)
            #expect(rest.json["refundFen"] == 7_846)
            #expect(rest.json["refundedFen"] == 11_770)
            stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(stock.json["locations"]?[shop.storeId]?["onHand"] == 9)
            let budget = try await client.send(.get, "/v1/campaigns/\(campaign ?? "")", key: shop.marketing)
            #expect(budget.json["budget"]?["consumed"]?["discountFen"] == 0)
            let points = try await APITest.storedEvents("points-\(customer)").map { try JSONValue(parsing: $0.payload) }
            #expect(points.map { $0["points"]?.intValue ?? 0 } == [117, 39, 78])

            let more = try await client.send(
                .post, "/v1/orders/\(id)/refunds", key: shop.channel,
                body: #"{"refundId":"r-3","lines":[{"sku":"\#(shop.sku)","quantity":1}]}"#)
            #expect(more.status == .unprocessableContent)
            #expect(more.errorCode == "too_many_units")
        }
    }

    @Test("A gift comes back with a refund: nothing paid back for it, its gift cost released, on hand with restock")
    func giftRefund() async throws {
        // 满9000赠 one unit of the same SKU (cost 1 800), budget for two gifts.
        let (shop, campaign) = try await Self.stocked(10) { shop in
            """
            {"campaignId":"\(APITest.id("gift"))","name":"满90赠1","kind":"gift",\
            "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
            "scope":{"categories":["\(shop.category)"]},\
            "rules":{"thresholdFen":9000,"giftSku":"\(shop.sku)","giftQuantity":1},"budget":{"giftCostFen":3600}}
            """
        }
        let campaignId = try #require(campaign)
        let id = APITest.id("o")
        try await APITest.withApp { client in
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel, body: Self.order(shop, id, quantity: 2))
            #expect(placed.status == .created, "\(placed.text)")
            #expect(placed.json["totalFen"] == 9_180)
            var stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(stock.json["locations"]?[shop.storeId]?["reserved"] == 3)  // two bought, one gift
            _ = try await client.send(
                .post, "/v1/orders/\(id)/payments", key: shop.channel, body: #"{"amountFen":9180,"method":"alipay"}"#)
            _ = try await client.send(
                .post, "/v1/orders/\(id)/ship", key: shop.channel, body: #"{"location":"\#(shop.storeId)"}"#)
            var budget = try await client.send(.get, "/v1/campaigns/\(campaignId)", key: shop.marketing)
            #expect(budget.json["budget"]?["consumed"]?["giftCostFen"] == 1_800)

            let unknown = try await client.send(
                .post, "/v1/orders/\(id)/refunds", key: shop.channel,
                body: #"{"refundId":"r-0","gifts":[{"campaignId":"c-none","quantity":1}]}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.json["error"]?["details"]?["field"] == "gifts")
            let none = try await client.send(
                .post, "/v1/orders/\(id)/refunds", key: shop.channel, body: #"{"refundId":"r-0"}"#)
            #expect(none.errorCode == "invalid_field")

            // Both bought units written off, the gift back on hand: 9 180 back, the gift's 1 800 of budget free.
            let refund = try await client.send(
                .post, "/v1/orders/\(id)/refunds", key: shop.channel,
                body: """
                    {"refundId":"r-1","lines":[{"sku":"\(shop.sku)","quantity":2}],\
                    "gifts":[{"campaignId":"\(campaignId)","quantity":1,"restock":true}]}
                    """)
            #expect(refund.status == .created, "\(refund.text)")
            #expect(refund.json["refundFen"] == 9_180)
            #expect(refund.json["gifts"]?[index: 0]?["sku"] == .string(shop.sku))
            #expect(refund.json["gifts"]?[index: 0]?["restock"] == true)
            stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(stock.json["locations"]?[shop.storeId]?["onHand"] == 8)  // 10 − 3 shipped + the gift
            budget = try await client.send(.get, "/v1/campaigns/\(campaignId)", key: shop.marketing)
            #expect(budget.json["budget"]?["consumed"]?["giftCostFen"] == 0)
            let refunded = try await APITest.storedEvents("order-\(id)").last
            #expect(refunded?.type == "OrderRefunded")
            #expect(
                try JSONValue(parsing: refunded?.payload ?? "")["gifts"]?[index: 0]?["campaignId"]
                    == .string(campaignId))

            let twice = try await client.send(
                .post, "/v1/orders/\(id)/refunds", key: shop.channel,
                body: #"{"refundId":"r-2","gifts":[{"campaignId":"\#(campaignId)","quantity":1}]}"#)
            #expect(twice.errorCode == "too_many_units")
            #expect(twice.json["error"]?["details"]?["field"] == "gifts")
        }
    }

    @Test("A flash sale goes live only when the stock across locations covers the units it promises")
    func flashActivationNeedsStock() async throws {
        let shop = try await Shop.open()
        let id = APITest.id("flash")
        try await APITest.withApp { client in
            _ = try await client.send(
                .post, "/v1/stock/\(shop.sku)/\(shop.storeId)/receipts", key: shop.marketing, body: #"{"quantity":10}"#)
            let body = """
                {"campaignId":"\(id)","name":"秒杀","kind":"flash_sale",\
                "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
                "rules":{"sku":"\(shop.sku)","priceFen":990,"quantity":50,"perCustomerLimit":1}}
                """
            _ = try await client.send(.post, "/v1/campaigns", key: shop.marketing, body: body)
            let short = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: shop.marketing)
            #expect(short.status == .conflict)
            #expect(short.errorCode == "insufficient_stock")
            #expect(short.json["error"]?["details"]?["available"] == 10)
            #expect(short.json["error"]?["details"]?["promised"] == 50)
            _ = try await client.send(
                .post, "/v1/stock/\(shop.sku)/wh-\(shop.storeId)/receipts", key: shop.marketing,
                body: #"{"quantity":40}"#)
            let live = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: shop.marketing)
            #expect(live.json["status"] == "active")
        }
    }

    @Test("A gift campaign goes live only when the gift's stock covers what its order limit still promises")
    func giftActivationNeedsStock() async throws {
        let shop = try await Shop.open()
        let id = APITest.id("gift")
        try await APITest.withApp { client in
            _ = try await client.send(
                .post, "/v1/stock/\(shop.sku)/\(shop.storeId)/receipts", key: shop.marketing, body: #"{"quantity":4}"#)
            let body = """
                {"campaignId":"\(id)","name":"满199赠","kind":"gift",\
                "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
                "scope":{"categories":["\(shop.category)"]},\
                "rules":{"thresholdFen":19900,"giftSku":"\(shop.sku)","giftQuantity":2},"limits":{"maxOrders":5}}
                """
            #expect(try await client.send(.post, "/v1/campaigns", key: shop.marketing, body: body).status == .created)
            let short = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: shop.marketing)
            #expect(short.status == .conflict)
            #expect(short.errorCode == "insufficient_stock")
            #expect(short.json["error"]?["details"]?["sku"] == .string(shop.sku))
            #expect(short.json["error"]?["details"]?["available"] == 4)
            #expect(short.json["error"]?["details"]?["promised"] == 10)
            _ = try await client.send(
                .post, "/v1/stock/\(shop.sku)/\(shop.storeId)/receipts", key: shop.marketing, body: #"{"quantity":6}"#)
            let live = try await client.send(.post, "/v1/campaigns/\(id)/activate", key: shop.marketing)
            #expect(live.json["status"] == "active")
        }
    }

    @Test(
        "A flash sale is never sold at list price once used up: no flash unit left for the customer, the line is refused"
    )
    func flashSale() async throws {
        let (shop, campaign) = try await Self.stocked(10) { shop in
            """
            {"campaignId":"\(APITest.id("flash"))","name":"秒杀","kind":"flash_sale",\
            "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
            "rules":{"sku":"\(shop.sku)","priceFen":990,"quantity":2,"perCustomerLimit":1}}
            """
        }
        let (a, b, c) = (APITest.id("u"), APITest.id("u"), APITest.id("u"))
        try await APITest.withApp { client in
            let first = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.order(shop, APITest.id("o"), quantity: 1, customer: a))
            #expect(first.status == .created)
            #expect(first.json["totalFen"] == 990)
            let twice = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.order(shop, APITest.id("o"), quantity: 1, customer: a))
            #expect(twice.status == .conflict)
            #expect(twice.errorCode == "customer_limit_reached")
            // One flash unit left for b: the second unit is at list price, as the quote says.
            let two = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.order(shop, APITest.id("o"), quantity: 2, customer: b))
            #expect(two.json["totalFen"] == 5_580)
            let again = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.order(shop, APITest.id("o"), quantity: 1, customer: b))
            #expect(again.errorCode == "customer_limit_reached")
            let soldOut = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.order(shop, APITest.id("o"), quantity: 1, customer: c))
            #expect(soldOut.status == .conflict)
            #expect(soldOut.errorCode == "flash_sold_out")
            let usage = try await client.send(.get, "/v1/campaigns/\(campaign ?? "")", key: shop.marketing)
            #expect(usage.json["usage"]?["flashUnitsSold"] == 2)
        }
    }
}

@Suite("Orders under concurrency")
struct OrderConcurrencyTests {
    typealias Shop = QuoteTests.Shop

    /// With 500 on hand the flash quantity runs out first; with exactly 50 the stock and the flash counter run out
    /// together, and neither goes below zero.
    @Test(
        "A flash sale of 50 units and 200 concurrent one-unit orders from 200 customers: exactly 50 are placed",
        arguments: [500, 50])
    func flashSaleRush(onHand: Int) async throws {
        let flash = APITest.id("flash")
        let (shop, _) = try await OrderTests.stocked(onHand) { shop in
            """
            {"campaignId":"\(flash)","name":"秒杀","kind":"flash_sale",\
            "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
            "rules":{"sku":"\(shop.sku)","priceFen":990,"quantity":50,"perCustomerLimit":1}}
            """
        }
        try await APITest.withApp { client in
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await client.send(
                            .post, "/v1/orders", key: shop.channel,
                            body: OrderTests.order(shop, APITest.id("o"), quantity: 1, customer: APITest.id("u")))
                    }
                }
                var replies: [Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            let placed = replies.filter { $0.status == .created }
            #expect(placed.count == 50)
            #expect(placed.allSatisfy { $0.json["totalFen"] == 990 })
            let refused = replies.filter { $0.status == .conflict }
            #expect(refused.count == 150)
            #expect(refused.allSatisfy { ["flash_sold_out", "insufficient_stock"].contains($0.errorCode ?? "") })
            let usage = try await client.send(.get, "/v1/campaigns/\(flash)", key: shop.marketing)
            #expect(usage.json["status"] == "active")
            #expect(usage.json["usage"]?["flashUnitsSold"] == 50)
            let stock = try await client.send(.get, "/v1/stock/\(shop.sku)", key: shop.marketing)
            #expect(stock.json["locations"]?[shop.storeId]?["onHand"] == .int(Int64(onHand)))
            #expect(stock.json["locations"]?[shop.storeId]?["reserved"] == 50)
            #expect(stock.json["locations"]?[shop.storeId]?["available"] == .int(Int64(onHand - 50)))
            // The stream itself: exactly 50 one-unit reservations, and its available never below zero after any.
            let events = try await APITest.storedEvents("stock-\(shop.sku)@\(shop.storeId)")
            #expect(events.filter { $0.type == "StockReserved" }.count == 50)
            var level = StockState()
            for event in events {
                try level.evolve(type: event.type, payload: JSONValue(parsing: event.payload))
                #expect(level.available >= 0, "\(event.type) left \(level.available)")
            }
            #expect(level.available == Int64(onHand - 50))
            // Sold out both ways: one more order is refused, and nothing is written for it.
            let after = APITest.id("o")
            let late = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: OrderTests.order(shop, after, quantity: 1, customer: APITest.id("u")))
            #expect(late.status == .conflict)
            #expect(["flash_sold_out", "insufficient_stock"].contains(late.errorCode ?? ""), "\(late.text)")
            #expect(try await APITest.storedEvents("order-\(after)").isEmpty)
        }
    }

    @Test(
        "A 10 000-fen discount budget and 2 000-fen reductions: of 20 concurrent orders exactly 5 carry the reduction",
        arguments: [false, true])
    func budgetRush(expectingTotal: Bool) async throws {
        let (shop, campaign) = try await OrderTests.stocked(200, campaign: OrderTests.reduction(budget: 10_000))
        try await APITest.withApp { client in
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await client.send(
                            .post, "/v1/orders", key: shop.channel,
                            body: OrderTests.order(
                                shop, APITest.id("o"), quantity: 3,
                                extra: expectingTotal ? #","expectedTotalFen":11770"# : ""))
                    }
                }
                var replies: [Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            #expect(replies.filter { $0.status == .created && $0.json["totalFen"] == 11_770 }.count == 5)
            if expectingTotal {
                #expect(replies.filter { $0.errorCode == "price_changed" }.count == 15)
            } else {
                #expect(replies.filter { $0.status == .created && $0.json["totalFen"] == 13_770 }.count == 15)
            }
            let budget = try await client.send(.get, "/v1/campaigns/\(campaign ?? "")", key: shop.marketing)
            #expect(budget.json["budget"]?["consumed"]?["discountFen"] == 10_000)
            #expect(budget.json["budget"]?["left"]?["discountFen"] == 0)
            // The feed shows the same budget and version as the campaign's own read.
            let feed = try await client.send(.get, "/v1/campaigns?status=active", key: shop.marketing)
            guard case .array(let items)? = feed.json["campaigns"] else {
                Issue.record("no campaigns in \(feed.text)")
                return
            }
            let listed = items.first { $0["campaignId"] == .string(campaign ?? "") }
            #expect(listed?["budget"]?["consumed"]?["discountFen"] == 10_000)
            #expect(listed?["version"] == budget.json["version"])
        }
    }
}
