import Foundation
import PromoDomain
import Testing

@Suite("Worked examples of issue 3")
struct WorkedExamplesTests {
    @Test func example1SpendReductionOnHotpot() throws {
        let quote = try TestSupport.scenario("example1-spend-reduction").quote()
        #expect(quote.applied(campaignId: "c-1111")?.baseFen == 17_160)
        #expect(quote.applied(campaignId: "c-1111")?.amountFen == 2_000)
        #expect(quote.line(sku: "HP-001")?.adjustmentFen(campaignId: "c-1111") == -930)
        #expect(quote.line(sku: "MD-002")?.adjustmentFen(campaignId: "c-1111") == -1_070)
        #expect(quote.line(sku: "JZ-004")?.netFen == 3_290)
        #expect(quote.subtotalFen == 20_450)
        #expect(quote.totalFen == 18_450)
        #expect(quote.budgetCharge(campaignId: "c-1111").discountFen == 2_000)
        // Partial refund: one HP-001 unit carries 465 of the 930, one MD-002 unit 535.
        let refund = try quote.refund(ReturnedUnits(lines: ["HP-001": 1, "MD-002": 1]))
        #expect(refund.line(sku: "HP-001")?.refundFen == 3_525)
        #expect(refund.line(sku: "MD-002")?.refundFen == 4_055)
        #expect(refund.refundFen == 7_580)
        #expect(refund.budgetRelease(campaignId: "c-1111").discountFen == 1_000)
        let rest = try quote.refund(
            ReturnedUnits(lines: ["HP-001": 1, "MD-002": 1, "JZ-004": 1]),
            after: ReturnedUnits(lines: ["HP-001": 1, "MD-002": 1]))
        #expect(rest.refundFen == 10_870)
        #expect(refund.refundFen + rest.refundFen == 18_450)
        #expect(rest.budgetRelease(campaignId: "c-1111").discountFen == 1_000)
    }

    @Test func example2ItemDiscountThenSpendDiscount() throws {
        let quote = try TestSupport.scenario("example2-item-and-spend-discount").quote()
        let dumplings = try #require(quote.line(sku: "JZ-004"))
        #expect(dumplings.listFen == 9_870)
        #expect(dumplings.adjustmentFen(campaignId: "c-2001") == -987)
        #expect(quote.applied(campaignId: "c-2002")?.baseFen == 15_243)
        #expect(quote.applied(campaignId: "c-2002")?.amountFen == 762)
        #expect(dumplings.adjustmentFen(campaignId: "c-2002") == -444)
        #expect(quote.line(sku: "TY-005")?.adjustmentFen(campaignId: "c-2002") == -318)
        #expect(quote.totalFen == 14_481)
        // 762.15 rounds to 762; refund one dumpling: 3290 - 329 - 148 = 2813.
        let refund = try quote.refund(ReturnedUnits(lines: ["JZ-004": 1]))
        #expect(refund.refundFen == 2_813)
        #expect(refund.budgetRelease(campaignId: "c-2001").discountFen == 329)
        #expect(refund.budgetRelease(campaignId: "c-2002").discountFen == 148)
        let balls = try quote.refund(ReturnedUnits(lines: ["TY-005": 2]))
        #expect(balls.refundFen == 3_022)
        #expect(balls.budgetRelease(campaignId: "c-2002").discountFen == 158)
    }

    @Test func example3BundleOnce() throws {
        let quote = try TestSupport.scenario("example3-bundle").quote()
        #expect(quote.line(sku: "HP-001")?.adjustmentFen(campaignId: "c-3001") == -576)
        #expect(quote.line(sku: "MD-002")?.adjustmentFen(campaignId: "c-3001") == -662)
        #expect(quote.line(sku: "WZ-003")?.adjustmentFen(campaignId: "c-3001") == -432)
        #expect(quote.applied(campaignId: "c-3001")?.amountFen == 1_670)
        #expect(quote.totalFen == 18_480)
        // The second HP-001 is outside the bundle: returning one unit returns the full-price one.
        let refund = try quote.refund(ReturnedUnits(lines: ["HP-001": 1]))
        #expect(refund.refundFen == 3_990)
        #expect(refund.budgetRelease(campaignId: "c-3001").discountFen == 0)
        let bundled = try quote.refund(
            ReturnedUnits(lines: ["HP-001": 1, "WZ-003": 1]), after: ReturnedUnits(lines: ["HP-001": 1]))
        #expect(bundled.refundFen == 3_414 + 2_558)
        #expect(bundled.budgetRelease(campaignId: "c-3001").discountFen == 1_008)
    }

    @Test func example4FlashSaleLimit() throws {
        let quote = try TestSupport.scenario("example4-flash-sale").quote()
        #expect(quote.totalFen == 4_970)
        #expect(quote.line(sku: "WZ-003")?.adjustmentFen(campaignId: "c-4001") == -4_000)
        let first = try quote.refund(ReturnedUnits(lines: ["WZ-003": 1]))
        #expect(first.refundFen == 2_990)
        #expect(first.budgetRelease(campaignId: "c-4001").discountFen == 0)
        let second = try quote.refund(ReturnedUnits(lines: ["WZ-003": 2]), after: ReturnedUnits(lines: ["WZ-003": 1]))
        #expect(second.refundFen == 1_980)
        #expect(second.budgetRelease(campaignId: "c-4001").discountFen == 4_000)
    }

    @Test func example5StackableCouponsAfterSpendReduction() throws {
        let quote = try TestSupport.scenario("example5-coupons").quote()
        // Example 1's cart and 满减 (18450), then the two stackable coupons: 500 off first,
        // spread 191 / 220 / 89 over the nets 7050 / 8110 / 3290; then 10 % of the hot-pot
        // lines' running net 6859 + 7890 = 14749 is 1475, capped at 1200 (558 / 642).
        #expect(quote.applied.first { $0.source == .coupon("CP-5OFF-0001") }?.amountFen == 500)
        #expect(quote.applied.first { $0.source == .coupon("CP-HOT-0001") }?.amountFen == 1_200)
        #expect(quote.line(sku: "HP-001")?.adjustment(from: .coupon("CP-HOT-0001"))?.amountFen == -558)
        #expect(quote.line(sku: "MD-002")?.adjustment(from: .coupon("CP-HOT-0001"))?.amountFen == -642)
        #expect(quote.line(sku: "JZ-004")?.adjustment(from: .coupon("CP-HOT-0001")) == nil)
        #expect(quote.line(sku: "JZ-004")?.adjustment(from: .coupon("CP-5OFF-0001"))?.amountFen == -89)
        // The store coupon is for POS orders in its store only.
        #expect(quote.rejection(couponCode: "CP-STORE-0001") == .channelNotEligible)
        #expect(quote.totalFen == 16_750)
    }
}
