import Foundation
import PromoDomain
import Testing

/// The cold-chain delivery fee and 满X包邮.
@Suite("Shipping fee and free shipping")
struct ShippingTests {
    typealias T = TestSupport
    /// 满99包邮.
    static let waiver = T.campaign("c-ship", .freeShipping(FreeShippingRule(thresholdFen: 9_900)))

    @Test("The fee is part of the total; 满99包邮 waives it once the cart reaches 99 yuan, and hints before")
    func waivedAtThreshold() throws {
        let short = try T.quote([Self.waiver], [("HP-001", 2)], shippingFee: 1_200)
        #expect(short.totalFen == 7_980 + 1_200)
        #expect(short.shipping?.netFen == 1_200)
        #expect(short.rejection(campaignId: "c-ship") == .thresholdNotMet)
        #expect(short.hints.first?.missingFen == 1_920)
        #expect(short.hints.first?.reward == QualificationHint.Reward.shipping(nil))

        let reached = try T.quote([Self.waiver], [("HP-001", 3)], shippingFee: 1_200)
        #expect(reached.totalFen == 11_970)
        #expect(reached.shipping?.netFen == 0)
        #expect(reached.applied(campaignId: "c-ship")?.amountFen == 1_200)
        #expect(reached.budgetCharge(campaignId: "c-ship").discountFen == 1_200)
        #expect(reached.discountFen == 1_200)
        #expect(reached.subtotalFen == 11_970)
    }

    @Test("A reduction takes at most its amount off the fee; no fee, nothing to waive")
    func partialAndNone() throws {
        let six = T.campaign("c-six", .freeShipping(FreeShippingRule(thresholdFen: 0, reductionFen: 600)))
        #expect(try T.quote([six], [("HP-001", 1)], shippingFee: 1_000).totalFen == 3_990 + 400)
        let none = try T.quote([six], [("HP-001", 1)])
        #expect(none.shipping == nil)
        #expect(none.rejection(campaignId: "c-six") == .noBenefit)
    }

    @Test("Shipping is outside order-level stacking: a non-stackable 满减 neither blocks nor is blocked by it")
    func outsideStacking() throws {
        let exclusive = T.campaign(
            "c-spend", .spendReduction(tiers: [ReductionTier(thresholdFen: 10_000, reductionFen: 1_000)]),
            priority: 20, stackable: false)
        let quote = try T.quote([Self.waiver, exclusive], [("HP-001", 3)], shippingFee: 1_200)
        #expect(quote.applied(campaignId: "c-ship")?.amountFen == 1_200)
        #expect(quote.applied(campaignId: "c-spend")?.amountFen == 1_000)
        #expect(quote.totalFen == 10_970)
    }

    @Test("The fee paid comes back with the last unit of the order, and the waiver's budget with it")
    func refundedWithTheLastUnit() throws {
        let six = T.campaign("c-six", .freeShipping(FreeShippingRule(thresholdFen: 0, reductionFen: 600)))
        let quote = try T.quote([six], [("HP-001", 2), ("TY-005", 1)], shippingFee: 1_000)
        #expect(quote.totalFen == 7_980 + 1_590 + 400)
        let first = try quote.refund(ReturnedUnits(lines: ["HP-001": 2]))
        #expect(first.refundFen == 7_980)
        #expect(first.shippingFen == 0)
        let last = try quote.refund(ReturnedUnits(lines: ["TY-005": 1]), after: ReturnedUnits(lines: ["HP-001": 2]))
        #expect(last.shippingFen == 400)
        #expect(last.refundFen == 1_590 + 400)
        #expect(last.budgetRelease(campaignId: "c-six").discountFen == 600)
    }

    @Test("In an exclusive group, a waiver worth more than a reduction wins")
    func groupCompetition() throws {
        let waiver = T.campaign("c-ship", .freeShipping(FreeShippingRule(thresholdFen: 9_900)), group: "g")
        let spend = T.campaign(
            "c-spend", .spendReduction(tiers: [ReductionTier(thresholdFen: 10_000, reductionFen: 1_000)]), group: "g")
        let quote = try T.quote([waiver, spend], [("HP-001", 3)], shippingFee: 1_200)
        #expect(quote.applied(campaignId: "c-ship")?.amountFen == 1_200)
        #expect(quote.rejection(campaignId: "c-spend") == .excludedByGroup)
        #expect(quote.totalFen == 11_970)
    }
}
