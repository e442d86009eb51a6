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
            "c-dear", .bundle(BundleRule(items: [.init(sku: "HP-001", quantity: 1), .init(sku: "MD-002", quantity: 1)], bundlePriceFen: 9_000)))
        let quote = try T.quote([bundle], [("HP-001", 1), ("MD-002", 1)])
        #expect(quote.rejection(campaignId: "c-dear") == .noBenefit)
        #expect(quote.totalFen == 8_580)
        #expect(quote.line(sku: "HP-001")?.adjustments.isEmpty == true)
    }
}
