import Foundation
import PromoDomain
import Testing

/// A condition on some products and the benefit on others, and a cap on discounted units per order.
@Suite("Conditions apart from targets, caps on discounted units")
struct ConditionTargetTests {
    typealias T = TestSupport
    /// 买火锅底料, 牛肉丸8折.
    static let meatballsWithBase = T.campaign(
        "c-combo",
        .itemDiscount(
            ItemDiscountRule(
                percentBp: 2_000, condition: PurchaseCondition(scope: CampaignScope(skus: ["HP-001"]), minUnits: 1))),
        scope: CampaignScope(skus: ["WZ-003"]))

    @Test("Buy a hot-pot base, meatballs 20 % off; without the base, nothing")
    func conditionOnOtherProducts() throws {
        let without = try T.quote([Self.meatballsWithBase], [("WZ-003", 2)])
        #expect(without.rejection(campaignId: "c-combo") == .conditionNotMet)
        #expect(without.totalFen == 5_980)

        let with = try T.quote([Self.meatballsWithBase], [("WZ-003", 2), ("HP-001", 1)])
        #expect(with.applied(campaignId: "c-combo")?.amountFen == 1_196)
        #expect(with.line(sku: "HP-001")?.netFen == 3_990, "the condition's product is not discounted")
        #expect(with.totalFen == 8_774)
    }

    @Test("A cap on discounted units goes to the units that save most, across lines")
    func capPerOrder() throws {
        // Half price on hot-pot, first 2 units: the two MD-002 (2295 each), not HP-001 (1995) or WZ-003 (1495).
        let half = T.campaign(
            "c-half", .itemDiscount(ItemDiscountRule(percentBp: 5_000, maxUnits: 2)),
            scope: CampaignScope(categories: ["hotpot"]))
        let quote = try T.quote([half], [("HP-001", 1), ("MD-002", 2), ("WZ-003", 3)])
        #expect(quote.applied(campaignId: "c-half")?.amountFen == 4_590)
        #expect(quote.line(sku: "HP-001")?.netFen == 3_990)
        #expect(quote.totalFen == 3_990 + 9_180 + 8_970 - 4_590)

        // One MD-002 only: it and then the HP-001 unit.
        let mixed = try T.quote([half], [("HP-001", 1), ("MD-002", 1), ("WZ-003", 3)])
        #expect(mixed.applied(campaignId: "c-half")?.amountFen == 2_295 + 1_995)
    }

    @Test("Condition and cap decode, and unknown SKUs in a condition are refused")
    func decodingAndValidation() throws {
        let bad = T.campaign(
            "c-bad",
            .unitAmountOff(
                UnitAmountOffRule(amountFen: 100, condition: PurchaseCondition(scope: CampaignScope(skus: ["NOPE"])))))
        let error = #expect(throws: PricingInputError.self) { try T.quote([bad], [("HP-001", 1)]) }
        #expect(error?.field == "campaigns[0].rules.condition.skus[0]")

        let json = """
            {"now": "2026-11-11T10:00:00+08:00",
             "catalog": [{"sku": "HP-001", "name": "底料", "priceFen": 3990, "category": "hotpot"},
                         {"sku": "WZ-003", "name": "牛肉丸", "priceFen": 2990, "category": "hotpot"}],
             "campaigns": [{"campaignId": "c-1", "name": "买底料立减", "kind": "unit_amount_off",
               "window": {"start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"},
               "scope": {"skus": ["WZ-003"]},
               "rules": {"amountFen": 500, "maxUnits": 1, "condition": {"skus": ["HP-001"], "minFen": 3990}}}],
             "customer": {"customerId": "u-1"},
             "cart": {"customerId": "u-1", "channel": "online", "storeId": "s-1",
                      "lines": [{"sku": "WZ-003", "quantity": 2}, {"sku": "HP-001", "quantity": 1}]}}
            """
        #expect(try Scenario.decode(from: Data(json.utf8)).quote().totalFen == 3_990 + 5_980 - 500)
    }
}

@Suite("Round-two keys are strict too")
struct RoundTwoStrictKeyTests {
    static func scenario(
        campaignExtras: String, rules: String = #"{"percentBp": 1000}"#, kind: String = "item_discount"
    )
        -> Data
    {
        Data(
            """
            {"now": "2026-11-11T10:00:00+08:00",
             "catalog": [{"sku": "HP-001", "name": "底料", "priceFen": 3990, "category": "hotpot"}],
             "campaigns": [{"campaignId": "c-1", "name": "x", "kind": "\(kind)",
               "window": {"start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"},
               "rules": \(rules)\(campaignExtras)}],
             "customer": {"customerId": "u-1"},
             "cart": {"customerId": "u-1", "channel": "online", "storeId": "s-1", "shippingFeeFen": 800,
                      "lines": [{"sku": "HP-001", "quantity": 1}]}}
            """.utf8)
    }

    @Test(
        "An unknown key in limits, a condition, gift or rebate tiers is named",
        arguments: [
            (
                #", "limits": {"perCustomr": 1}"#, #"{"percentBp": 1000}"#, "item_discount",
                "campaigns[0].limits.perCustomr"
            ),
            (
                "", #"{"percentBp": 1000, "condition": {"skus": ["HP-001"], "minUnit": 1}}"#, "item_discount",
                "campaigns[0].rules.condition.minUnit"
            ),
            (
                "", #"{"tiers": [{"thresholdFen": 0, "giftSku": "HP-001", "qty": 1}]}"#, "gift",
                "campaigns[0].rules.tiers[0].qty"
            ),
            (
                "", #"{"tiers": [{"thresholdFen": 0, "points": 5, "pts": 1}]}"#, "rebate",
                "campaigns[0].rules.tiers[0].pts"
            ),
            (
                "", #"{"thresholdFen": 0, "reductionFen": 100, "waive": true}"#, "free_shipping",
                "campaigns[0].rules.waive"
            ),
        ])
    func unknownKeys(extras: String, rules: String, kind: String, field: String) throws {
        let error = #expect(throws: PricingInputError.self) {
            try Scenario.decode(from: Self.scenario(campaignExtras: extras, rules: rules, kind: kind)).quote()
        }
        #expect(error?.field == field)
        #expect(error?.message.hasPrefix("unknown key") == true)
    }

    @Test("A cart's delivery fee decodes and is part of the total")
    func shippingFeeDecodes() throws {
        let quote = try Scenario.decode(from: Self.scenario(campaignExtras: "")).quote()
        #expect(quote.totalFen == 3_990 - 399 + 800)
        #expect(quote.shipping?.feeFen == 800)
    }
}
