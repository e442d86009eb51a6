import Foundation
import PromoDomain
import Testing

@Suite("Promotion rules")
struct PromotionRulesTests {
    typealias T = TestSupport
    static let reduction = CampaignRules.spendReduction(tiers: [
        ReductionTier(thresholdFen: 10_000, reductionFen: 2_000),
        ReductionTier(thresholdFen: 20_000, reductionFen: 5_000),
    ])

    @Test func highestTierApplies() throws {
        let quote = try T.quote([T.campaign("c-r", Self.reduction)], [("MD-002", 5)])  // 22950
        #expect(quote.totalFen == 17_950)
        #expect(quote.applied(campaignId: "c-r")?.amountFen == 5_000)
    }

    @Test func halfEvenSpendDiscountTies() throws {
        // TY-005 ×... subtotal 15250 is not reachable from the catalog; use a special price to get it.
        let special = T.campaign("c-sp", .specialPrice(prices: ["TY-005": 1_525]), priority: 1)
        let discount = T.campaign(
            "c-d", .spendDiscount(tiers: [DiscountTier(thresholdFen: 0, percentBp: 500)]), priority: 2)
        let down = try T.quote([special, discount], [("TY-005", 10)])  // 15250 × 5 % = 762.5
        #expect(down.applied(campaignId: "c-d")?.amountFen == 762)
        #expect(down.totalFen == 14_488)
        let special2 = T.campaign("c-sp", .specialPrice(prices: ["TY-005": 1_527]), priority: 1)
        let up = try T.quote([special2, discount], [("TY-005", 10)])  // 15270 × 5 % = 763.5
        #expect(up.applied(campaignId: "c-d")?.amountFen == 764)
    }

    @Test func everyContextRejectionReason() throws {
        let past = CampaignWindow(start: T.now.addingTimeInterval(-10_000), end: T.now.addingTimeInterval(-1))
        let quote = try T.quote(
            [
                T.campaign("c-window", Self.reduction, window: past),
                T.campaign("c-paused", Self.reduction, status: .paused),
                T.campaign("c-channel", Self.reduction, scope: CampaignScope(channels: ["store"])),
                T.campaign("c-store", Self.reduction, scope: CampaignScope(stores: ["s-chengdu"])),
                T.campaign("c-region", Self.reduction, scope: CampaignScope(regions: ["sichuan"])),
                T.campaign("c-new", Self.reduction, audience: CampaignAudience(newCustomersOnly: true)),
                T.campaign("c-tier", Self.reduction, audience: CampaignAudience(tiers: ["silver"])),
                T.campaign("c-tag", Self.reduction, audience: CampaignAudience(tags: ["spicy_lover"])),
                T.campaign("c-items", Self.reduction, scope: CampaignScope(categories: ["desserts"])),
                T.campaign(
                    "c-threshold", .spendReduction(tiers: [ReductionTier(thresholdFen: 99_000, reductionFen: 1)])),
            ], [("HP-001", 1)])
        #expect(quote.rejection(campaignId: "c-window") == .outsideWindow)
        #expect(quote.rejection(campaignId: "c-paused") == .notActive)
        #expect(quote.rejection(campaignId: "c-channel") == .channelNotEligible)
        #expect(quote.rejection(campaignId: "c-store") == .storeNotEligible)
        #expect(quote.rejection(campaignId: "c-region") == .regionNotEligible)
        #expect(quote.rejection(campaignId: "c-new") == .notInAudience)
        #expect(quote.rejection(campaignId: "c-tier") == .notInAudience)
        #expect(quote.rejection(campaignId: "c-tag") == .notInAudience)
        #expect(quote.rejection(campaignId: "c-items") == .noEligibleItems)
        #expect(quote.rejection(campaignId: "c-threshold") == .thresholdNotMet)
        #expect(quote.totalFen == 3_990)
        #expect(quote.rejected.count == 10)
    }

    @Test func budgetExhaustedIsNeverPartlyApplied() throws {
        let quote = try T.quote(
            [T.campaign("c-r", Self.reduction, budgetLeft: BudgetAmounts(discountFen: 1_999))], [("MD-002", 3)])
        #expect(quote.rejection(campaignId: "c-r") == .budgetExhausted)
        #expect(quote.totalFen == 13_770)
        #expect(quote.budgetCharges.isEmpty)
        let total = try T.quote(
            [T.campaign("c-r", Self.reduction, budgetLeft: BudgetAmounts(totalFen: 2_000, discountFen: 9_000))],
            [("MD-002", 3)])
        #expect(total.totalFen == 11_770)
        #expect(total.budgetCharge(campaignId: "c-r").totalFen == 2_000)
    }

    @Test func itemLevelBudgetFallsBackToNextBestOffer() throws {
        let quote = try T.quote(
            [
                T.campaign(
                    "c-20", .itemDiscount(percentBp: 2_000), scope: CampaignScope(skus: ["JZ-004"]),
                    budgetLeft: BudgetAmounts(discountFen: 1_000)),
                T.campaign("c-10", .itemDiscount(percentBp: 1_000), scope: CampaignScope(skus: ["JZ-004"])),
            ], [("JZ-004", 3)])
        #expect(quote.rejection(campaignId: "c-20") == .budgetExhausted)
        #expect(quote.applied(campaignId: "c-10")?.amountFen == 987)
        #expect(quote.totalFen == 8_883)
    }

    @Test func cheapestItemLevelOfferWins() throws {
        let quote = try T.quote(
            [
                T.campaign("c-item", .itemDiscount(percentBp: 1_000), scope: CampaignScope(skus: ["HP-001"])),
                T.campaign("c-special", .specialPrice(prices: ["HP-001": 2_990])),
            ], [("HP-001", 2)])
        #expect(quote.totalFen == 5_980)
        #expect(quote.rejection(campaignId: "c-item") == .notBestForShopper)
    }

    @Test func bundleVersusSingleItemOffersIsExact() throws {
        // Special price 1990 on HP-001 beats the bundle (saving 2000 vs 1670 split); bundle still takes MD+WZ? no: needs HP.
        let bundle = T.campaign(
            "c-b",
            .bundle(
                BundleRule(
                    items: [.init(sku: "HP-001", quantity: 1), .init(sku: "MD-002", quantity: 1)], bundlePriceFen: 6_000
                )))
        let special = T.campaign("c-sp", .specialPrice(prices: ["HP-001": 2_500]))
        // Bundle saving 2580 vs special 1490 per HP unit: two bundles (MD ×2) beat specials.
        let quote = try T.quote([bundle, special], [("HP-001", 3), ("MD-002", 2)])
        #expect(quote.applied(campaignId: "c-b")?.amountFen == 5_160)
        #expect(quote.applied(campaignId: "c-sp")?.amountFen == 1_490)
        #expect(quote.totalFen == 3 * 3_990 + 2 * 4_590 - 5_160 - 1_490)
        let incomplete = try T.quote([bundle], [("HP-001", 1)])
        #expect(incomplete.rejection(campaignId: "c-b") == .bundleIncomplete)
    }

    @Test func flashSoldOutAndCustomerLimit() throws {
        let flash = CampaignRules.flashSale(
            FlashSaleRule(sku: "WZ-003", priceFen: 990, quantity: 100, perCustomerLimit: 2))
        let soldOut = try T.quote([T.campaign("c-f", flash, flashLeft: 0)], [("WZ-003", 1)])
        #expect(soldOut.rejection(campaignId: "c-f") == .flashSoldOut)
        let limited = try T.quote(
            [T.campaign("c-f", flash)], [("WZ-003", 1)],
            customer: CustomerContext(customerId: "u-1", flashPurchases: ["c-f": 2]))
        #expect(limited.rejection(campaignId: "c-f") == .customerLimitReached)
        #expect(limited.totalFen == 2_990)
        let lastUnit = try T.quote([T.campaign("c-f", flash, flashLeft: 1)], [("WZ-003", 3)])
        #expect(lastUnit.totalFen == 990 + 2 * 2_990)
    }

    @Test func exclusiveGroupKeepsBestForShopper() throws {
        let quote = try T.quote(
            [
                T.campaign(
                    "c-a", .spendReduction(tiers: [ReductionTier(thresholdFen: 10_000, reductionFen: 1_500)]),
                    priority: 1, group: "d11"),
                T.campaign(
                    "c-b", .spendDiscount(tiers: [DiscountTier(thresholdFen: 10_000, percentBp: 1_000)]), priority: 2,
                    group: "d11"),
            ], [("MD-002", 4)])  // 18360: 10 % = 1836 beats 1500
        #expect(quote.rejection(campaignId: "c-a") == .excludedByGroup)
        #expect(quote.applied(campaignId: "c-b")?.amountFen == 1_836)
        #expect(quote.totalFen == 16_524)
    }

    @Test func priorityOrderAndNonStackable() throws {
        let first = T.campaign(
            "c-1", .spendReduction(tiers: [ReductionTier(thresholdFen: 10_000, reductionFen: 1_000)]), priority: 1)
        let second = T.campaign(
            "c-2", .spendDiscount(tiers: [DiscountTier(thresholdFen: 10_000, percentBp: 1_000)]), priority: 2)
        let quote = try T.quote([second, first], [("MD-002", 4)])  // 18360 − 1000 = 17360; 10 % = 1736
        #expect(quote.totalFen == 15_624)
        let lone = T.campaign(
            "c-3", .spendDiscount(tiers: [DiscountTier(thresholdFen: 0, percentBp: 500)]), priority: 3, stackable: false
        )
        let blocked = try T.quote([first, lone], [("MD-002", 4)])
        #expect(blocked.rejection(campaignId: "c-3") == .notStackable)
        #expect(blocked.totalFen == 17_360)
    }

    @Test func giftLineAndGiftCostBudget() throws {
        let gift = CampaignRules.gift(GiftRule(thresholdFen: 10_000, giftSku: "TY-005", giftQuantity: 2))
        let quote = try T.quote(
            [T.campaign("c-g", gift, budgetLeft: BudgetAmounts(giftCostFen: 1_400))], [("MD-002", 3)])
        let line = try #require(quote.gifts.first)
        #expect(line.sku == "TY-005")
        #expect(line.listFen == 3_180)
        #expect(line.adjustmentFen(campaignId: "c-g") == -3_180)
        #expect(line.netFen == 0)
        #expect(quote.totalFen == 13_770)
        #expect(quote.budgetCharge(campaignId: "c-g").giftCostFen == 1_400)
        #expect(quote.budgetCharge(campaignId: "c-g").discountFen == 0)
        let refund = try quote.refund(ReturnedUnits(gifts: ["c-g": 1]))
        #expect(refund.refundFen == 0)
        #expect(refund.budgetRelease(campaignId: "c-g").giftCostFen == 700)
        let poor = try T.quote(
            [T.campaign("c-g", gift, budgetLeft: BudgetAmounts(giftCostFen: 1_399))], [("MD-002", 3)])
        #expect(poor.rejection(campaignId: "c-g") == .budgetExhausted)
        let noStock = try T.quote([T.campaign("c-g", gift)], [("MD-002", 3)], stock: ["TY-005": 1])
        #expect(noStock.rejection(campaignId: "c-g") == .giftOutOfStock)
    }

    @Test func addOnPricesOneUnit() throws {
        let addOn = CampaignRules.addOn(AddOnRule(thresholdFen: 10_000, sku: "TY-005", priceFen: 100))
        let quote = try T.quote([T.campaign("c-ao", addOn)], [("MD-002", 3), ("TY-005", 2)])
        #expect(quote.line(sku: "TY-005")?.adjustmentFen(campaignId: "c-ao") == -1_490)
        #expect(quote.totalFen == 13_770 + 1_590 + 100)
        let refund = try quote.refund(ReturnedUnits(lines: ["TY-005": 1]))
        #expect(refund.refundFen == 100)
        #expect(refund.budgetRelease(campaignId: "c-ao").discountFen == 1_490)
        let missing = try T.quote([T.campaign("c-ao", addOn)], [("MD-002", 3)])
        #expect(missing.rejection(campaignId: "c-ao") == .addOnNotInCart)
        let short = try T.quote([T.campaign("c-ao", addOn)], [("MD-002", 1), ("TY-005", 5)])
        #expect(short.rejection(campaignId: "c-ao") == .thresholdNotMet)
    }

    @Test func couponsAfterPromotions() throws {
        let coupons = [
            T.coupon("C-AMT", .amount(valueFen: 1_500, thresholdFen: 10_000), campaignId: "c-r", stackable: true),
            T.coupon(
                "C-PCT", .percent(percentBp: 1_000, thresholdFen: 0), scope: CampaignScope(categories: ["dumplings"]),
                stackable: true),
            T.coupon("C-HIGH", .amount(valueFen: 500, thresholdFen: 99_000)),
            T.coupon(
                "C-OLD", .amount(valueFen: 500, thresholdFen: 0), validFrom: T.now.addingTimeInterval(-9_000),
                validUntil: T.now.addingTimeInterval(-1)),
            T.coupon("C-SOON", .amount(valueFen: 500, thresholdFen: 0), validFrom: T.now.addingTimeInterval(60)),
            T.coupon("C-THEIRS", .amount(valueFen: 500, thresholdFen: 0), owner: "u-2"),
        ]
        let quote = try T.quote(
            [T.campaign("c-r", Self.reduction, budgetLeft: BudgetAmounts(couponSubsidyFen: 1_500))],
            [("MD-002", 2), ("JZ-004", 1)], coupons: coupons,
            codes: ["C-THEIRS", "C-SOON", "C-PCT", "C-OLD", "C-HIGH", "C-AMT", "C-NONE"])
        // 12470 − 2000 = 10470 ≥ 10000 → C-AMT 1500 → 8970; C-PCT 10 % of JZ's running net.
        #expect(quote.applied.first { $0.source == .coupon("C-AMT") }?.amountFen == 1_500)
        let jzAfter = try #require(quote.line(sku: "JZ-004"))
        let pct = quote.applied.first { $0.source == .coupon("C-PCT") }?.amountFen
        #expect(pct == 237)
        #expect(jzAfter.netFen == 2_129)
        #expect(quote.totalFen == 12_470 - 2_000 - 1_500 - 237)
        #expect(quote.rejection(couponCode: "C-HIGH") == .thresholdNotMet)
        #expect(quote.rejection(couponCode: "C-OLD") == .couponExpired)
        #expect(quote.rejection(couponCode: "C-SOON") == .couponNotYetValid)
        #expect(quote.rejection(couponCode: "C-THEIRS") == .couponNotOwned)
        #expect(quote.rejection(couponCode: "C-NONE") == .couponNotFound)
        #expect(quote.budgetCharge(campaignId: "c-r").couponSubsidyFen == 1_500)
        #expect(quote.budgetCharge(campaignId: "c-r").discountFen == 2_000)
    }

    @Test func pointsAndRebates() throws {
        let rebates = [
            T.campaign(
                "c-pts", .rebate(RebateRule(thresholdFen: 5_000, reward: .points(300))),
                budgetLeft: BudgetAmounts(pointsCostFen: 300)),
            T.campaign("c-cpn", .rebate(RebateRule(thresholdFen: 5_000, reward: .coupon(templateId: "t-1")))),
            T.campaign("c-far", .rebate(RebateRule(thresholdFen: 50_000, reward: .points(1)))),
        ]
        let quote = try T.quote(rebates, [("MD-002", 2)], points: 800)  // balance 500 caps redemption
        #expect(quote.pointsRedeemed == 500)
        #expect(quote.totalFen == 8_680)
        #expect(quote.pointsToEarn == 86)
        #expect(quote.rebates.count == 2)
        #expect(quote.budgetCharge(campaignId: "c-cpn").couponSubsidyFen == 500, "t-1's value is reserved")
        #expect(quote.budgetCharge(campaignId: "c-pts").pointsCostFen == 300)
        #expect(quote.rejection(campaignId: "c-far") == .thresholdNotMet)
        let refund = try quote.refund(ReturnedUnits(lines: ["MD-002": 2]))
        #expect(refund.refundFen == 8_680)
        #expect(refund.pointsReturned == 500)
        #expect(refund.pointsClawedBack == 386)
        #expect(refund.budgetRelease(campaignId: "c-pts").pointsCostFen == 300)
    }

    @Test func invalidCartsAreTypedErrors() throws {
        #expect(
            throws: PricingInputError(field: "cart.lines[0].sku", message: "unknown SKU NOPE", unknownSKU: "NOPE")
        ) {
            try T.quote([], [("NOPE", 1)])
        }
        #expect(
            throws: PricingInputError(field: "cart.lines[1].quantity", message: "must be between 1 and 100000 (got -2)")
        ) {
            try T.quote([], [("HP-001", 1), ("HP-001", -2)])
        }
        // Quoted directly (not through a scenario), a cart past the bounds is an error, never an overflow trap.
        #expect(throws: PricingInputError.self) {
            try T.quote([], [("HP-001", 100_000), ("MD-002", 100_000), ("WZ-003", 100_000)] + [("HP-001", 1)])
        }
        #expect(throws: PricingInputError.self) {
            try T.quote([T.campaign("c-x", .itemDiscount(percentBp: 20_000))], [("HP-001", 1)])
        }
    }
}
