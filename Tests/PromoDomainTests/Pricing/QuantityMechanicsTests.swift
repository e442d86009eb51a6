import Foundation
import PromoDomain
import Testing

/// 满N件, 每满减, 第二件半价 / 买三免一, 任选 and 单品立减: the everyday mechanics of round two.
@Suite("Quantity thresholds, repeats, multi-buy, pick-any, amount off per unit")
struct QuantityMechanicsTests {
    typealias T = TestSupport
    static let hotpot = CampaignScope(categories: ["hotpot"])

    @Test("满N件减: the highest unit tier reached, and how many units the next one needs")
    func quantityReduction() throws {
        let rule = QuantityReductionRule(tiers: [
            .init(thresholdUnits: 3, reductionFen: 1_000), .init(thresholdUnits: 5, reductionFen: 2_500),
        ])
        let campaign = T.campaign("c-n", .quantityReduction(rule))
        // 2 × HP-001 + WZ-003 = 3 units, 10970 → 1000 off.
        let three = try T.quote([campaign], [("HP-001", 2), ("WZ-003", 1)])
        #expect(three.applied(campaignId: "c-n")?.amountFen == 1_000)
        #expect(three.totalFen == 9_970)
        #expect(three.hints.map(\.missingUnits) == [2])
        #expect(three.hints.first?.thresholdUnits == 5)
        #expect(three.hints.first?.reward == .reduction(2_500))

        let two = try T.quote([campaign], [("HP-001", 2)])
        #expect(two.rejection(campaignId: "c-n") == .thresholdNotMet)
        #expect(two.hints.map(\.missingUnits) == [1])
    }

    @Test("满N件折: 2 件 10 % off every unit in scope")
    func quantityDiscount() throws {
        let campaign = T.campaign(
            "c-n", .quantityDiscount(QuantityDiscountRule(tiers: [.init(thresholdUnits: 2, percentBp: 1_000)])))
        let quote = try T.quote([campaign], [("MD-002", 2)])
        #expect(quote.applied(campaignId: "c-n")?.amountFen == 918)
        #expect(quote.totalFen == 8_262)
    }

    @Test("每满100减10, at most 30: one reduction per full step, capped, and the next step as a hint")
    func repeatReduction() throws {
        let campaign = T.campaign(
            "c-every",
            .repeatReduction(RepeatReductionRule(everyFen: 10_000, reductionFen: 1_000, maxReductionFen: 3_000)))
        let five = try T.quote([campaign], [("MD-002", 5)])  // 22950: two steps
        #expect(five.applied(campaignId: "c-every")?.amountFen == 2_000)
        #expect(five.totalFen == 20_950)
        #expect(five.hints.first?.missingFen == 7_050)
        let eight = try T.quote([campaign], [("MD-002", 8)])  // 36720: three steps, the cap
        #expect(eight.applied(campaignId: "c-every")?.amountFen == 3_000)
        #expect(eight.hints.isEmpty, "the cap leaves no further step to hint at")
        let ten = try T.quote([campaign], [("MD-002", 10)])  // 45900: four steps, capped at three
        #expect(ten.totalFen == 42_900)
    }

    @Test("第二件半价 and 买三免一 take the cheapest unit of each group, most expensive units grouped first")
    func multiBuy() throws {
        // MD 4590, HP 3990, WZ 2990 = 11570.
        let half = T.campaign("c-half", .multiBuy(MultiBuyRule(units: 2, percentBp: 5_000)), scope: Self.hotpot)
        let halfQuote = try T.quote([half], [("HP-001", 1), ("MD-002", 1), ("WZ-003", 1)])
        #expect(halfQuote.applied(campaignId: "c-half")?.amountFen == 1_995, "half of HP-001, paired with MD-002")
        #expect(halfQuote.totalFen == 9_575)
        #expect(halfQuote.hints.first?.thresholdUnits == 4)

        let free = T.campaign("c-free", .multiBuy(MultiBuyRule(units: 3, percentBp: 10_000)), scope: Self.hotpot)
        let freeQuote = try T.quote([free], [("HP-001", 1), ("MD-002", 1), ("WZ-003", 1)])
        #expect(freeQuote.applied(campaignId: "c-free")?.amountFen == 2_990)
        #expect(freeQuote.totalFen == 8_580)
    }

    @Test("任选3件99元: the most expensive units grouped, groups that save nothing left alone")
    func pickAny() throws {
        let pick = T.campaign("c-pick", .pickAny(PickAnyRule(units: 3, priceFen: 9_900)), scope: Self.hotpot)
        // 4590 + 3990 + 3990 = 12570 → 9900 saves 2670; the fourth unit (WZ 2990) makes no group.
        let quote = try T.quote([pick], [("HP-001", 2), ("MD-002", 1), ("WZ-003", 1)])
        #expect(quote.applied(campaignId: "c-pick")?.amountFen == 2_670)
        #expect(quote.totalFen == 12_890)
        let cheap = try T.quote([pick], [("WZ-003", 3)])  // 8970 < 9900: no saving
        #expect(cheap.rejection(campaignId: "c-pick") == .noBenefit)
    }

    @Test("A pick-any over 100 000 units is computed by runs, not unit by unit")
    func pickAnyLargeCart() throws {
        let pick = T.campaign("c-pick", .pickAny(PickAnyRule(units: 3, priceFen: 6_000)), scope: Self.hotpot)
        // 33333 groups × (8970 − 6000) = 98,999,010 off 299,000,000.
        let quote = try T.quote([pick], [("WZ-003", 100_000)])
        #expect(quote.applied(campaignId: "c-pick")?.amountFen == 98_999_010)
        #expect(quote.totalFen == 200_000_990)
    }

    @Test("单品立减: a fixed amount off every unit in scope, never below zero")
    func unitAmountOff() throws {
        let five = T.campaign(
            "c-five", .unitAmountOff(UnitAmountOffRule(amountFen: 500)), scope: CampaignScope(skus: ["MD-002"]))
        #expect(try T.quote([five], [("MD-002", 3)]).totalFen == 12_270)
        let fifty = T.campaign(
            "c-fifty", .unitAmountOff(UnitAmountOffRule(amountFen: 5_000)), scope: CampaignScope(skus: ["TY-005"]))
        let quote = try T.quote([fifty], [("TY-005", 2), ("HP-001", 1)])
        #expect(quote.line(sku: "TY-005")?.netFen == 0)
        #expect(quote.totalFen == 3_990)
    }

    @Test(
        "Rules that give less for more, or groups of one, are refused with the field named",
        arguments: [
            (
                CampaignRules.quantityReduction(
                    QuantityReductionRule(tiers: [
                        .init(thresholdUnits: 3, reductionFen: 2_000), .init(thresholdUnits: 5, reductionFen: 1_000),
                    ])), "campaigns[0].rules.tiers[1]"
            ),
            (
                .repeatReduction(RepeatReductionRule(everyFen: 10_000, reductionFen: 15_000)),
                "campaigns[0].rules.reductionFen"
            ),
            (
                .repeatReduction(RepeatReductionRule(everyFen: 10_000, reductionFen: 1_000, maxReductionFen: 500)),
                "campaigns[0].rules.maxReductionFen"
            ),
            (.multiBuy(MultiBuyRule(units: 1, percentBp: 5_000)), "campaigns[0].rules.units"),
            (.pickAny(PickAnyRule(units: 3, priceFen: -1)), "campaigns[0].rules.priceFen"),
            (.unitAmountOff(UnitAmountOffRule(amountFen: 0)), "campaigns[0].rules.amountFen"),
        ])
    func invalidRules(rules: CampaignRules, field: String) {
        let error = #expect(throws: PricingInputError.self) {
            try T.quote([T.campaign("c-bad", rules)], [("HP-001", 1)])
        }
        #expect(error?.field.hasPrefix(field) == true, "\(error?.field ?? "no error")")
    }

    @Test("The new kinds decode from API.md-shaped campaign bodies, unknown keys refused")
    func decoding() throws {
        func scenario(_ rules: String, kind: String) -> Data {
            Data(
                """
                {"now": "2026-11-11T10:00:00+08:00",
                 "catalog": [{"sku": "WZ-003", "name": "牛肉丸", "priceFen": 2990, "category": "hotpot"}],
                 "campaigns": [{"campaignId": "c-1", "name": "任选", "kind": "\(kind)",
                   "window": {"start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"},
                   "rules": \(rules)}],
                 "customer": {"customerId": "u-1"},
                 "cart": {"customerId": "u-1", "channel": "online", "storeId": "s-1",
                          "lines": [{"sku": "WZ-003", "quantity": 3}]}}
                """.utf8)
        }
        let quote = try Scenario.decode(from: scenario(#"{"units": 3, "priceFen": 6000}"#, kind: "pick_any")).quote()
        #expect(quote.totalFen == 6_000)
        let every = try Scenario.decode(
            from: scenario(
                #"{"everyFen": 3000, "reductionFen": 300, "maxReductionFen": 600}"#, kind: "repeat_reduction")
        ).quote()
        #expect(every.totalFen == 8_970 - 600)
        let error = #expect(throws: PricingInputError.self) {
            try Scenario.decode(from: scenario(#"{"units": 3, "price": 6000}"#, kind: "pick_any"))
        }
        #expect(error?.field.contains("price") == true)
    }
}
