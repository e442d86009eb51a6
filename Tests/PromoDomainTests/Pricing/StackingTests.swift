import Foundation
import PromoDomain
import Testing

/// `stackable: false` (不参与其他优惠) at item level, and add-on units, which later levels neither count
/// nor reduce, whatever the priorities.
@Suite("Non-stackable units and add-ons")
struct StackingTests {
    typealias T = TestSupport

    /// MD-002 (list 4590) at 2990 for one unit per customer, 不参与其他优惠.
    static func flash(stackable: Bool) -> Campaign {
        T.campaign(
            "c-flash", .flashSale(FlashSaleRule(sku: "MD-002", priceFen: 2_990, quantity: 5, perCustomerLimit: 1)),
            stackable: stackable)
    }

    @Test("A non-stackable flash unit does not count toward a 满减 threshold")
    func flashUnitOutsideThreshold() throws {
        // 2 × HP-001 7980 + MD-002 4590 at list + one flash MD-002 at 2990 = 15560. Without the flash unit the
        // 满减 base is 12570, below 13000: refused. Counted at its flash price it would have reached 15560.
        let spend = T.campaign(
            "c-spend", .spendReduction(tiers: [ReductionTier(thresholdFen: 13_000, reductionFen: 1_000)]))
        let quote = try T.quote([Self.flash(stackable: false), spend], [("HP-001", 2), ("MD-002", 2)])
        #expect(quote.rejection(campaignId: "c-spend") == .thresholdNotMet)
        #expect(quote.totalFen == 15_560)

        let stackable = try T.quote([Self.flash(stackable: true), spend], [("HP-001", 2), ("MD-002", 2)])
        #expect(stackable.applied(campaignId: "c-spend")?.amountFen == 1_000, "a stackable flash unit counts")
        #expect(stackable.totalFen == 14_560)
    }

    @Test("A 满减 spreads over the free units only: the flash unit keeps its flash price")
    func flashUnitTakesNoShare() throws {
        // Base 12570 (HP 7980, the MD-002 unit at list 4590). 1000 split by largest remainder: HP 634.8 → 635,
        // MD 365.2 → 365. MD-002 line: 9180 − 1600 (flash) − 365 = 7215, that is 2990 + (4590 − 365).
        let spend = T.campaign(
            "c-spend", .spendReduction(tiers: [ReductionTier(thresholdFen: 8_000, reductionFen: 1_000)]))
        let quote = try T.quote([Self.flash(stackable: false), spend], [("HP-001", 2), ("MD-002", 2)])
        #expect(quote.line(sku: "HP-001")?.netFen == 7_345)
        #expect(quote.line(sku: "MD-002")?.netFen == 7_215)
        #expect(quote.totalFen == 14_560)
        // Refunding the MD-002 line returns exactly what was paid for it.
        let refund = try quote.refund(ReturnedUnits(lines: ["MD-002": 2]), after: ReturnedUnits())
        #expect(refund.refundFen == 7_215)
    }

    @Test("No coupon and no points on a non-stackable flash unit")
    func flashUnitTakesNoCouponOrPoints() throws {
        let coupon = T.coupon("C-500", .amount(valueFen: 500, thresholdFen: 0))
        let locked = try T.quote(
            [Self.flash(stackable: false)], [("MD-002", 1)], coupons: [coupon], codes: ["C-500"], points: 300)
        #expect(locked.rejection(couponCode: "C-500") == .noEligibleItems)
        #expect(locked.pointsRedeemed == 0)
        #expect(locked.totalFen == 2_990)

        let free = try T.quote(
            [Self.flash(stackable: true)], [("MD-002", 1)], coupons: [coupon], codes: ["C-500"], points: 300)
        #expect(free.totalFen == 2_990 - 500 - 300)
    }

    @Test("An add-on unit counts toward no other threshold, whatever the priorities")
    func addOnOutsideThresholds() throws {
        // WZ-003 (list 2990) for 990 once the rest reaches 5000. 2 × HP-001 = 7980: the add-on applies (2000
        // off). A 满10000减1500 would be met only if the add-on unit counted at list (7980 + 2990 = 10970).
        for (addOnPriority, spendPriority) in [(1, 20), (20, 1), (5, 5)] {
            let addOn = T.campaign(
                "c-addon", .addOn(AddOnRule(thresholdFen: 5_000, sku: "WZ-003", priceFen: 990)),
                priority: addOnPriority)
            let spend = T.campaign(
                "c-spend", .spendReduction(tiers: [ReductionTier(thresholdFen: 10_000, reductionFen: 1_500)]),
                priority: spendPriority)
            let quote = try T.quote([addOn, spend], [("HP-001", 2), ("WZ-003", 1)])
            #expect(quote.applied(campaignId: "c-addon")?.amountFen == 2_000)
            #expect(quote.rejection(campaignId: "c-spend") == .thresholdNotMet)
            #expect(quote.totalFen == 8_970)

            // A second WZ-003 unit is an ordinary purchase at list: 7980 + 2990 = 10970 reaches the 满减, which
            // spreads 1500 over the HP line and that unit; the add-on unit stays at 990.
            let two = try T.quote([addOn, spend], [("HP-001", 2), ("WZ-003", 2)])
            #expect(two.applied(campaignId: "c-spend")?.amountFen == 1_500)
            #expect(two.totalFen == 7_980 + 2_990 + 990 - 1_500)
        }
    }
}

@Suite("Rebate clawback")
struct RebateClawbackTests {
    typealias T = TestSupport

    @Test("A rebate on lines paid 0 is clawed back from those lines only, never from others")
    func clawbackStaysOnScope() throws {
        // 满返 300 points on desserts (threshold 0). A desserts coupon of 1590 makes TY-005 free; HP-001 is paid.
        let rebate = T.campaign(
            "c-rebate", .rebate(RebateRule(thresholdFen: 0, reward: .points(300))),
            scope: CampaignScope(categories: ["desserts"]))
        let coupon = T.coupon(
            "C-TY", .amount(valueFen: 1_590, thresholdFen: 0), scope: CampaignScope(categories: ["desserts"]))
        let quote = try T.quote([rebate], [("HP-001", 1), ("TY-005", 1)], coupons: [coupon], codes: ["C-TY"])
        #expect(quote.totalFen == 3_990)
        #expect(quote.budgetCharge(campaignId: "c-rebate").pointsCostFen == 300)

        let hotpot = try quote.refund(ReturnedUnits(lines: ["HP-001": 1]))
        #expect(hotpot.refundFen == 3_990)
        #expect(hotpot.pointsClawedBack == quote.pointsToEarn, "only the points earned on HP-001 itself")
        #expect(hotpot.budgetReleases.allSatisfy { $0.pointsCostFen == 0 })

        let dessert = try quote.refund(ReturnedUnits(lines: ["TY-005": 1]))
        #expect(dessert.refundFen == 0)
        #expect(dessert.pointsClawedBack == 300)
        #expect(dessert.budgetReleases.first { $0.campaignId == "c-rebate" }?.pointsCostFen == 300)
    }
}

@Suite("Coupon rebates (满返券)")
struct CouponRebateTests {
    typealias T = TestSupport

    static let template = CouponTemplate(
        templateId: "t-back10", discount: .amount(valueFen: 1_000, thresholdFen: 5_000), validFrom: T.window.start,
        validUntil: T.window.end)

    static func quote(subsidyLeft: Fen, templates: [CouponTemplate] = [template]) throws -> Quote {
        let rebate = T.campaign(
            "c-back", .rebate(RebateRule(thresholdFen: 5_000, reward: .coupon(templateId: "t-back10"))),
            budgetLeft: BudgetAmounts(couponSubsidyFen: subsidyLeft))
        let engine = try PricingEngine(catalog: T.catalog, campaigns: [rebate], couponTemplates: templates)
        let cart = Cart(
            customerId: "u-1", channel: "online", storeId: "s-online",
            lines: [Cart.Line(sku: "HP-001", quantity: 1), Cart.Line(sku: "MD-002", quantity: 2)])
        return try engine.quote(QuoteRequest(cart: cart, customer: CustomerContext(customerId: "u-1"), now: T.now))
    }

    @Test("A coupon rebate reserves the coupon's value against the coupon-subsidy budget, or is refused")
    func reservesCouponSubsidy() throws {
        let granted = try Self.quote(subsidyLeft: 5_000)
        #expect(granted.rebates.map(\.campaignId) == ["c-back"])
        #expect(granted.rebates.first?.reward == .coupon(templateId: "t-back10"))
        #expect(granted.budgetCharge(campaignId: "c-back").couponSubsidyFen == 1_000)

        let refused = try Self.quote(subsidyLeft: 999)
        #expect(refused.rejection(campaignId: "c-back") == .budgetExhausted)
        #expect(refused.rebates.isEmpty)
    }

    @Test("The reservation comes back with the last unit of the rebate's scope, not before")
    func releasedOnFullReturn() throws {
        let quote = try Self.quote(subsidyLeft: 5_000)
        let first = try quote.refund(ReturnedUnits(lines: ["MD-002": 2]))
        #expect(first.budgetReleases.allSatisfy { $0.couponSubsidyFen == 0 })
        let last = try quote.refund(ReturnedUnits(lines: ["HP-001": 1]), after: ReturnedUnits(lines: ["MD-002": 2]))
        #expect(last.budgetReleases.first { $0.campaignId == "c-back" }?.couponSubsidyFen == 1_000)
    }

    @Test("A coupon rebate needs a known template of bounded value")
    func templateChecked() throws {
        #expect(throws: PricingInputError.self) { try Self.quote(subsidyLeft: 5_000, templates: []) }
        let uncapped = CouponTemplate(
            templateId: "t-back10", discount: .percent(percentBp: 1_000, thresholdFen: 0), validFrom: T.window.start,
            validUntil: T.window.end)
        #expect(throws: PricingInputError.self) { try Self.quote(subsidyLeft: 5_000, templates: [uncapped]) }
        let capped = CouponTemplate(
            templateId: "t-back10", discount: .percent(percentBp: 1_000, thresholdFen: 0, maxDiscountFen: 800),
            validFrom: T.window.start, validUntil: T.window.end)
        #expect(
            try Self.quote(subsidyLeft: 5_000, templates: [capped]).budgetCharge(campaignId: "c-back").couponSubsidyFen
                == 800)
    }
}
