import Foundation
import PromoDomain
import Testing

private typealias T = TestSupport

/// The rejection reasons the broader rule tests do not reach.
@Suite("Rejections without a benefit or a usable coupon")
struct RemainingRejectionTests {
    @Test("A coupon already used on another order is rejected and deducts nothing")
    func couponAlreadyRedeemed() throws {
        let used = Coupon(
            code: "C-USED", customerId: "u-1", discount: .amount(valueFen: 1_500, thresholdFen: 0),
            validFrom: T.window.start, validUntil: T.window.end, redeemed: true)
        let quote = try T.quote([], [("MD-002", 2)], coupons: [used], codes: ["C-USED"])
        #expect(quote.rejection(couponCode: "C-USED") == .couponAlreadyRedeemed)
        #expect(quote.applied.isEmpty)
        #expect(quote.totalFen == 9_180)
    }

    @Test("A bundle priced above its items' list prices gives nothing and says so")
    func bundleWithoutBenefit() throws {
        // HP-001 3990 + MD-002 4590 = 8580 at list; a bundle price of 9000 would charge more.
        let bundle = T.campaign(
            "c-dear",
            .bundle(
                BundleRule(
                    items: [.init(sku: "HP-001", quantity: 1), .init(sku: "MD-002", quantity: 1)], bundlePriceFen: 9_000
                )))
        let quote = try T.quote([bundle], [("HP-001", 1), ("MD-002", 1)])
        #expect(quote.rejection(campaignId: "c-dear") == .noBenefit)
        #expect(quote.totalFen == 8_580)
        #expect(quote.line(sku: "HP-001")?.adjustments.isEmpty == true)
    }

    @Test("A not-for-sale sample (list price 0) is a gift like any other: handed out, its cost charged")
    func zeroPriceGiftIsGiven() throws {
        let sample = Product(sku: "SP-000", name: "试吃装", priceFen: 0, costFen: 120, category: "samples")
        let gift = GiftRule(thresholdFen: 5_000, giftSku: "SP-000", giftQuantity: 1)
        for group in [nil, "g-1"] as [String?] {
            let campaigns = [
                T.campaign("c-sample", .gift(gift), group: group), T.campaign("c-sample2", .gift(gift), group: group),
            ]
            let engine = try PricingEngine(catalog: T.catalog + [sample], campaigns: campaigns, coupons: [])
            let cart = Cart(
                customerId: "u-1", channel: "online", storeId: "s-online",
                lines: [Cart.Line(sku: "MD-002", quantity: 2)])
            let quote = try engine.quote(
                QuoteRequest(cart: cart, customer: CustomerContext(customerId: "u-1"), now: T.now))
            #expect(quote.totalFen == 9_180, "a gift costs the shopper nothing")
            #expect(quote.budgetCharge(campaignId: "c-sample").giftCostFen == 120)
            #expect(quote.gifts.first?.sku == "SP-000")
            #expect(quote.gifts.first?.netFen == 0)
            if group == nil {
                #expect(quote.gifts.count == 2, "two stackable gift campaigns give one sample each")
            } else {
                #expect(quote.gifts.count == 1, "one member of a group applies")
                #expect(quote.rejection(campaignId: "c-sample2") == .excludedByGroup)
            }
        }
    }
}
