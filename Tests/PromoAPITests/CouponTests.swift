import Foundation
import HTTPTypes
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

@Suite("Coupons over HTTP")
struct CouponTests {
    typealias Shop = QuoteTests.Shop

    /// 满100减5 on the shop's category: at most `total` coupons, one per customer.
    static func template(_ id: String, shop: Shop, total: Int = 3, value: Int = 500) -> String {
        """
        {"templateId":"\(id)","name":"满100减5","discount":{"kind":"amount","valueFen":\(value),"thresholdFen":10000},\
        "scope":{"categories":["\(shop.category)"]},"validFrom":"2020-01-01T00:00:00+08:00",\
        "validUntil":"2099-01-01T00:00:00+08:00","totalQuantity":\(total),"perCustomerLimit":1}
        """
    }

    static func withCoupon(_ body: String, _ code: String) -> String {
        body.replacingOccurrences(of: #""lines""#, with: #""couponCodes":["\#(code)"],"lines""#)
    }

    @Test("Templates are checked; issuing keeps to totalQuantity and perCustomerLimit")
    func issue() async throws {
        let (shop, _) = try await OrderTests.stocked(10)
        let id = APITest.id("t")
        let (a, b, c, d) = (APITest.id("u"), APITest.id("u"), APITest.id("u"), APITest.id("u"))
        try await APITest.withApp { client in
            let defined = try await client.send(
                .post, "/v1/coupon-templates", key: shop.marketing, body: Self.template(id, shop: shop))
            #expect(defined.status == .created)
            let again = try await client.send(
                .post, "/v1/coupon-templates", key: shop.marketing, body: Self.template(id, shop: shop))
            #expect(again.errorCode == "template_exists")
            let bad = try await client.send(
                .post, "/v1/coupon-templates", key: shop.marketing,
                body: Self.template(APITest.id("t"), shop: shop, value: 0))
            #expect(bad.errorField == "discount.valueFen")

            let issued = try await client.send(
                .post, "/v1/coupon-templates/\(id)/issue", key: shop.marketing,
                body: #"{"customerIds":["\#(a)","\#(b)"]}"#)
            #expect(issued.status == .created)
            #expect(issued.json["coupons"]?.arrayCount == 2)
            #expect(issued.json["coupons"]?[index: 0]?["customerId"] == .string(a))
            let twice = try await client.send(
                .post, "/v1/coupon-templates/\(id)/issue", key: shop.marketing, body: #"{"customerIds":["\#(a)"]}"#)
            #expect(twice.errorCode == "customer_limit_reached")
            let over = try await client.send(
                .post, "/v1/coupon-templates/\(id)/issue", key: shop.marketing,
                body: #"{"customerIds":["\#(c)","\#(d)"]}"#)
            #expect(over.errorCode == "quantity_exhausted")
            let missing = try await client.send(
                .post, "/v1/coupon-templates/\(id)-none/issue", key: shop.marketing, body: #"{"customerIds":["\#(c)"]}"#
            )
            #expect(missing.status == .notFound)
        }
    }

    @Test("A template whose scope names a SKU the catalog does not have is a 422 unknown_sku, and nothing is written")
    func unknownScopeSKU() async throws {
        let shop = try await Shop.open()
        let acting = try await APITest.createdKey(.marketing)
        let (id, missing) = (APITest.id("t"), APITest.id("NOPE"))
        try await APITest.withApp { client in
            let scoped = { (skus: String) in
                Self.template(id, shop: shop).replacingOccurrences(
                    of: #""scope":{"categories""#, with: #""scope":{"skus":[\#(skus)],"categories""#)
            }
            let body = scoped(#""\#(shop.sku)","\#(missing)""#)
            #expect(body.contains(missing))
            let refused = try await client.send(.post, "/v1/coupon-templates", key: acting.secret, body: body)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.errorCode == "unknown_sku")
            #expect(refused.json["error"]?["details"]?["sku"] == .string(missing))
            #expect(refused.json["error"]?["details"]?["field"] == "scope.skus[1]")
            #expect(try await APITest.storedEvents("coupontemplate-\(id)").isEmpty)
            #expect(try await APITest.eventCount(actor: acting.keyId) == 0)
            let issue = try await client.send(
                .post, "/v1/coupon-templates/\(id)/issue", key: shop.marketing, body: #"{"customerIds":["u-1"]}"#)
            #expect(issue.status == .notFound)

            // The catalog's own SKU alone is fine.
            let known = try await client.send(
                .post, "/v1/coupon-templates", key: acting.secret, body: scoped(#""\#(shop.sku)""#))
            #expect(known.status == .created, "\(known.text)")
            #expect(try await APITest.storedEvents("coupontemplate-\(id)").map(\.type) == ["CouponTemplateDefined"])
        }
    }

    @Test(
        "A coupon is redeemed once by its owner; a cancelled order gives it back; another customer's code does not apply"
    )
    func redeem() async throws {
        let (shop, _) = try await OrderTests.stocked(20)
        let id = APITest.id("t")
        let (owner, other) = (APITest.id("u"), APITest.id("u"))
        try await APITest.withApp { client in
            _ = try await client.send(
                .post, "/v1/coupon-templates", key: shop.marketing, body: Self.template(id, shop: shop))
            let issued = try await client.send(
                .post, "/v1/coupon-templates/\(id)/issue", key: shop.marketing, body: #"{"customerIds":["\#(owner)"]}"#)
            let code = try #require(issued.json["coupons"]?[index: 0]?["code"]?.stringValue)

            let first = APITest.id("o")
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.withCoupon(OrderTests.order(shop, first, quantity: 3, customer: owner), code))
            #expect(placed.status == .created)
            #expect(placed.json["totalFen"] == 13_270)
            let reused = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.withCoupon(OrderTests.order(shop, APITest.id("o"), quantity: 3, customer: owner), code))
            #expect(reused.status == .conflict)
            #expect(reused.errorCode == "coupon_already_redeemed")

            _ = try await client.send(.post, "/v1/orders/\(first)/cancel", key: shop.channel)
            let afterCancel = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.withCoupon(OrderTests.order(shop, APITest.id("o"), quantity: 3, customer: owner), code))
            #expect(afterCancel.json["totalFen"] == 13_270)
            #expect(
                try await APITest.storedEvents("coupon-\(code)").map(\.type)
                    == ["CouponIssued", "CouponRedeemed", "CouponReleased", "CouponRedeemed"])

            let quote = try await client.send(
                .post, "/v1/quotes", key: shop.channel, body: Self.withCoupon(shop.cart(3, customer: other), code))
            #expect(quote.json["totalFen"] == 13_770)
            #expect(quote.json["rejected"]?.arrayCount ?? 0 >= 1)
        }
    }

    @Test(
        "满返券: paying an order that reached the rebate issues the template's coupon; past its limit, payment still goes through"
    )
    func rebateCouponOnPayment() async throws {
        let (shop, _) = try await OrderTests.stocked(10)
        let (campaignId, templateId, customer) = (APITest.id("c"), APITest.id("t"), APITest.id("u"))
        let (first, second) = (APITest.id("o"), APITest.id("o"))
        try await APITest.withApp { client in
            let campaign = """
                {"campaignId":"\(campaignId)","name":"满100返5元券","kind":"rebate",\
                "window":{"start":"2020-01-01T00:00:00+08:00","end":"2099-01-01T00:00:00+08:00"},\
                "scope":{"categories":["\(shop.category)"]},\
                "rules":{"thresholdFen":10000,"couponTemplateId":"\(templateId)"},"budget":{"couponSubsidyFen":100000}}
                """
            #expect(
                try await client.send(.post, "/v1/campaigns", key: shop.marketing, body: campaign).status == .created)
            let template = Self.template(templateId, shop: shop).replacingOccurrences(
                of: #""perCustomerLimit":1}"#, with: #""perCustomerLimit":1,"campaignId":"\#(campaignId)"}"#)
            let defined = try await client.send(.post, "/v1/coupon-templates", key: shop.marketing, body: template)
            #expect(defined.status == .created, "\(defined.text)")
            let active = try await client.send(.post, "/v1/campaigns/\(campaignId)/activate", key: shop.marketing)
            #expect(active.json["status"] == "active", "\(active.text)")

            for (index, orderId) in [first, second].enumerated() {
                let placed = try await client.send(
                    .post, "/v1/orders", key: shop.channel,
                    body: OrderTests.order(shop, orderId, quantity: 3, customer: customer))
                #expect(placed.status == .created, "\(placed.text)")
                #expect(placed.text.contains(templateId), "the quote names the rebate: \(placed.text)")
                let paid = try await client.send(
                    .post, "/v1/orders/\(orderId)/payments", key: shop.channel,
                    body: #"{"amountFen":13770,"method":"wechat_pay"}"#)
                #expect(paid.status == .ok, "\(paid.text)")
                #expect(paid.json["status"] == "paid")
                let rebate = paid.json["rebateCoupons"]?[index: 0]
                if index == 0 {
                    #expect(rebate?["granted"] == true, "\(paid.text)")
                    let code = try #require(rebate?["code"]?.stringValue)
                    let stored = try await APITest.storedEvents("coupon-\(code)")
                    #expect(stored.map(\.type) == ["CouponIssued"])
                    #expect(stored.first?.payload.contains(customer) == true)
                } else {
                    // One per customer: the second order's rebate cannot be given, and is said so.
                    #expect(rebate?["granted"] == false)
                    #expect(rebate?["reason"] == "customer_limit_reached")
                }
            }
            #expect(
                try await APITest.storedEvents("coupontemplate-\(templateId)").map(\.type) == [
                    "CouponTemplateDefined", "CouponsIssued",
                ])
        }
    }

    @Test("The clock expires coupons unused when their validity ends, once; a redeemed one is left alone")
    func expiry() async throws {
        let (shop, _) = try await OrderTests.stocked(10)
        let template = APITest.id("t")
        let (a, b) = (APITest.id("u"), APITest.id("u"))
        try await APITest.withApp { client in
            // A validity of its own: other tests' coupons (valid until 2099) are never due when this test's clock
            // turns.
            let body = Self.template(template, shop: shop).replacingOccurrences(
                of: "2099-01-01T00:00:00+08:00", with: "2097-06-01T00:00:00+08:00")
            #expect(
                try await client.send(.post, "/v1/coupon-templates", key: shop.marketing, body: body).status == .created
            )
            let issued = try await client.send(
                .post, "/v1/coupon-templates/\(template)/issue", key: shop.marketing,
                body: #"{"customerIds":["\#(a)","\#(b)"]}"#)
            let codes = (0..<2).compactMap { issued.json["coupons"]?[index: $0]?["code"]?.stringValue }
            #expect(codes.count == 2)
            let placed = try await client.send(
                .post, "/v1/orders", key: shop.channel,
                body: Self.withCoupon(OrderTests.order(shop, APITest.id("o"), quantity: 3, customer: a), codes[0]))
            #expect(placed.status == .created, "\(placed.text)")

            let clock = CampaignClock(store: try await APITest.store())
            let format = ISO8601DateFormatter()
            // Valid until 2097-06-01 00:00 in Shanghai: a second before, nothing; at it, b's unused coupon expires.
            #expect(try await clock.expireCoupons(now: try #require(format.date(from: "2097-05-31T15:59:59Z"))) == 0)
            let at = try #require(format.date(from: "2097-05-31T16:00:00Z"))
            // (Not the whole tick: at 2097 every test's points would expire too.)
            try await clock.expireCoupons(now: at)
            try await clock.expireCoupons(now: at)
            #expect(
                try await APITest.storedEvents("coupon-\(codes[1])").map(\.type) == ["CouponIssued", "CouponExpired"])
            #expect(
                try await APITest.storedEvents("coupon-\(codes[0])").map(\.type) == ["CouponIssued", "CouponRedeemed"])
        }
    }

    @Test("One coupon, ten concurrent orders using it: exactly one succeeds")
    func concurrentRedemption() async throws {
        let (shop, _) = try await OrderTests.stocked(100)
        let id = APITest.id("t")
        let owner = APITest.id("u")
        try await APITest.withApp { client in
            _ = try await client.send(
                .post, "/v1/coupon-templates", key: shop.marketing, body: Self.template(id, shop: shop))
            let issued = try await client.send(
                .post, "/v1/coupon-templates/\(id)/issue", key: shop.marketing, body: #"{"customerIds":["\#(owner)"]}"#)
            let code = try #require(issued.json["coupons"]?[index: 0]?["code"]?.stringValue)
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await client.send(
                            .post, "/v1/orders", key: shop.channel,
                            body: Self.withCoupon(
                                OrderTests.order(shop, APITest.id("o"), quantity: 3, customer: owner), code))
                    }
                }
                var replies: [Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            #expect(replies.filter { $0.status == .created }.count == 1)
            #expect(replies.filter { $0.errorCode == "coupon_already_redeemed" }.count == 9)
        }
    }
}
