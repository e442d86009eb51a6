import Foundation
import PromoDomain
import Testing

private typealias J = ScenarioJSON

/// Issue 7, defect 10: one scenario format (API.md's bodies plus store state), where an
/// unknown key is an error naming it and `budget` is honoured.
@Suite("Scenario format")
struct ScenarioFormatTests {
    static var reduction: [String: Any] { J.campaign("c-r", kind: "spend_reduction", rules: J.reductionRules) }

    @Test("A campaign's budget object limits it: too small a discount budget rejects it with budget_exhausted")
    func budgetObjectIsHonoured() throws {
        // MD-002 × 3 = 13770 reaches 满100减20; a discount budget of 1999 cannot pay 2000.
        var poor = Self.reduction
        poor["budget"] = ["discountFen": 1_999]
        let rejected = try J.quote(J.document(campaigns: [poor], lines: [("MD-002", 3)]))
        #expect(rejected.rejection(campaignId: "c-r") == .budgetExhausted)
        #expect(rejected.totalFen == 13_770)

        // The total cap counts too, and a budget that covers it lets it apply.
        var capped = Self.reduction
        capped["budget"] = ["totalFen": 1_999, "discountFen": 9_000]
        #expect(try J.quote(J.document(campaigns: [capped], lines: [("MD-002", 3)])).totalFen == 13_770)
        var enough = Self.reduction
        enough["budget"] = ["totalFen": 2_000, "discountFen": 9_000]
        let applied = try J.quote(J.document(campaigns: [enough], lines: [("MD-002", 3)]))
        #expect(applied.totalFen == 11_770)
        #expect(applied.budgetCharge(campaignId: "c-r").discountFen == 2_000)
    }

    @Test("budgetLeft is what is left: a key it leaves out is as configured in budget")
    func budgetLeftDefaultsToBudget() throws {
        var spent = Self.reduction
        spent["budget"] = ["totalFen": 1_000_000, "discountFen": 500_000]
        spent["budgetLeft"] = ["discountFen": 1_999]
        let quote = try J.quote(J.document(campaigns: [spent], lines: [("MD-002", 3)]))
        #expect(quote.rejection(campaignId: "c-r") == .budgetExhausted)
        #expect(quote.totalFen == 13_770)

        var totalSpent = Self.reduction
        totalSpent["budget"] = ["totalFen": 1_000_000, "discountFen": 500_000]
        totalSpent["budgetLeft"] = ["totalFen": 1_999]
        let capped = try J.quote(J.document(campaigns: [totalSpent], lines: [("MD-002", 3)]))
        #expect(capped.rejection(campaignId: "c-r") == .budgetExhausted)

        let scenario = try Scenario.decode(from: J.data(J.document(campaigns: [spent])))
        #expect(scenario.campaigns[0].budget == BudgetAmounts(totalFen: 1_000_000, discountFen: 500_000))
        #expect(scenario.campaigns[0].budgetLeft == BudgetAmounts(totalFen: 1_000_000, discountFen: 1_999))
    }

    @Test(
        "budgetLeft cannot exceed or invent a limit",
        arguments: [
            (["discountFen": 10], ["discountFen": 11], "budgetLeft.discountFen"),
            (["discountFen": 10], ["giftCostFen": 5], "budgetLeft.giftCostFen"),
            (["discountFen": 10], ["totalFen": 5], "budgetLeft.totalFen"),
        ])
    func budgetLeftWithinBudget(budget: [String: Int], left: [String: Int], field: String) throws {
        var campaign = Self.reduction
        campaign["budget"] = budget
        campaign["budgetLeft"] = left
        #expect(try J.error(J.document(campaigns: [campaign]))?.field == "campaigns[0].\(field)")
        var orphan = Self.reduction
        orphan["budgetLeft"] = left
        #expect(try J.error(J.document(campaigns: [orphan]))?.field == "campaigns[0].budgetLeft")
    }

    /// (where the key goes, the full path the error must name).
    static let unknownKeys: [(String, String)] = [
        ("top", "campagins"),
        ("campaign", "campaigns[0].budgets"),
        ("window", "campaigns[0].window.stop"),
        ("scope", "campaigns[0].scope.sku"),
        ("audience", "campaigns[0].audience.tier"),
        ("stacking", "campaigns[0].stacking.exclusive"),
        ("budget", "campaigns[0].budget.discount"),
        ("budgetLeft", "campaigns[0].budgetLeft.gift"),
        ("alerts", "campaigns[0].alerts.thresholds"),
        ("rules", "campaigns[0].rules.percentBp"),
        ("tier", "campaigns[0].rules.tiers[1].reduction"),
        ("template", "couponTemplates[0].maxDiscountFen"),
        ("discount", "couponTemplates[0].discount.cap"),
        ("templateScope", "couponTemplates[0].scope.regions"),
        ("coupon", "coupons[0].value"),
        ("product", "catalog[0].price"),
        ("customer", "customer.points"),
        ("cart", "cart.coupons"),
        ("line", "cart.lines[0].qty"),
    ]

    @Test("An unknown key anywhere is an error naming its full path", arguments: unknownKeys)
    func unknownKeyIsNamed(place: String, field: String) throws {
        var campaign = Self.reduction
        campaign["budget"] = ["discountFen": 100_000]
        campaign["budgetLeft"] = ["discountFen": 90_000]
        campaign["alerts"] = ["budgetThresholds": [0.8, 1]]
        campaign["scope"] = ["categories": ["hotpot"]]
        campaign["audience"] = ["tiers": ["gold"]]
        campaign["stacking"] = ["priority": 1]
        var template = J.template("t-1", discount: ["kind": "percent", "percentBp": 1_000])
        template["scope"] = ["channels": ["online"]]
        var coupon = J.coupon("C-1", template: "t-1")
        var document = J.document(codes: ["C-1"])
        func nested(_ object: inout [String: Any], _ key: String, _ extra: String, _ value: Any) {
            var inner = object[key] as? [String: Any] ?? [:]
            inner[extra] = value
            object[key] = inner
        }
        switch place {
        case "top": document["campagins"] = []
        case "campaign": campaign["budgets"] = ["discountFen": 1]
        case "window": nested(&campaign, "window", "stop", "2026-11-12T00:00:00+08:00")
        case "scope": nested(&campaign, "scope", "sku", "HP-001")
        case "audience": nested(&campaign, "audience", "tier", "gold")
        case "stacking": nested(&campaign, "stacking", "exclusive", true)
        case "budget": nested(&campaign, "budget", "discount", 1)
        case "budgetLeft": nested(&campaign, "budgetLeft", "gift", 1)
        case "alerts": nested(&campaign, "alerts", "thresholds", [0.5])
        case "rules": nested(&campaign, "rules", "percentBp", 500)
        case "tier":
            campaign["rules"] = [
                "tiers": [
                    ["thresholdFen": 10_000, "reductionFen": 2_000],
                    ["thresholdFen": 20_000, "reductionFen": 5_000, "reduction": 1],
                ]
            ]
        case "template": template["maxDiscountFen"] = 500
        case "discount": nested(&template, "discount", "cap", 500)
        case "templateScope": nested(&template, "scope", "regions", ["sichuan"])
        case "coupon": coupon["value"] = 500
        case "product":
            var catalog = J.catalog
            catalog[0]["price"] = 1
            document["catalog"] = catalog
        case "customer": nested(&document, "customer", "points", 1)
        case "cart": nested(&document, "cart", "coupons", [])
        case "line":
            var cart = document["cart"] as? [String: Any] ?? [:]
            cart["lines"] = [["sku": "MD-002", "quantity": 2, "qty": 2]]
            document["cart"] = cart
        default: Issue.record("no place \(place)")
        }
        document["campaigns"] = [campaign]
        document["couponTemplates"] = [template]
        document["coupons"] = [coupon]
        let error = try #require(try J.error(document))
        #expect(error.field == field)
        #expect(error.message.hasPrefix("unknown key"))
    }

    @Test("Every kind's rules reject a key that kind does not have", arguments: CampaignKind.allCases)
    func rulesOfEachKindAreStrict(kind: CampaignKind) throws {
        let rules: [String: Any] =
            switch kind {
            case .spendReduction: J.reductionRules
            case .spendDiscount: ["tiers": [["thresholdFen": 0, "percentBp": 500]]]
            case .itemDiscount: ["percentBp": 500]
            case .specialPrice: ["prices": ["HP-001": 2_990]]
            case .flashSale: ["sku": "WZ-003", "priceFen": 990, "quantity": 100, "perCustomerLimit": 2]
            case .gift: ["thresholdFen": 10_000, "giftSku": "TY-005", "giftQuantity": 1]
            case .addOn: ["thresholdFen": 10_000, "sku": "TY-005", "priceFen": 100]
            case .bundle: ["items": [["sku": "HP-001", "quantity": 1]], "bundlePriceFen": 3_000]
            case .rebate: ["thresholdFen": 5_000, "points": 100]
            case .lottery: ["minOrderFen": 0, "prizes": [["prizeId": "p-1", "quantity": 1, "weight": 1]]]
            case .quantityReduction: ["tiers": [["thresholdUnits": 3, "reductionFen": 1_000]]]
            case .quantityDiscount: ["tiers": [["thresholdUnits": 2, "percentBp": 1_000]]]
            case .repeatReduction: ["everyFen": 10_000, "reductionFen": 1_000, "maxReductionFen": 3_000]
            case .multiBuy: ["units": 2, "percentBp": 5_000]
            case .pickAny: ["units": 3, "priceFen": 9_900]
            case .unitAmountOff: ["amountFen": 500]
            case .freeShipping: ["thresholdFen": 9_900]
            }
        let valid = J.campaign("c-k", kind: kind.rawValue, rules: rules)
        #expect(try J.error(J.document(campaigns: [valid])) == nil)
        var extra = rules
        extra["thresholdFenn"] = 1
        let invalid = J.campaign("c-k", kind: kind.rawValue, rules: extra)
        #expect(try J.error(J.document(campaigns: [invalid]))?.field == "campaigns[0].rules.thresholdFenn")
    }

    @Test("Tiers that give less for more are rejected, naming the later tier's field")
    func lessForMoreTiers() throws {
        let lessForMore = J.campaign(
            "c-r", kind: "spend_reduction",
            rules: [
                "tiers": [
                    ["thresholdFen": 10_000, "reductionFen": 3_000], ["thresholdFen": 20_000, "reductionFen": 2_000],
                ]
            ])
        let error = try #require(try J.error(J.document(campaigns: [lessForMore])))
        #expect(error.field == "campaigns[0].rules.tiers[1].reductionFen")
        #expect(error.message.contains("3000"))
        let discount = J.campaign(
            "c-d", kind: "spend_discount",
            rules: [
                "tiers": [["thresholdFen": 10_000, "percentBp": 1_000], ["thresholdFen": 20_000, "percentBp": 500]]
            ])
        #expect(try J.error(J.document(campaigns: [discount]))?.field == "campaigns[0].rules.tiers[1].percentBp")
        let unordered = J.campaign(
            "c-u", kind: "spend_reduction",
            rules: [
                "tiers": [
                    ["thresholdFen": 20_000, "reductionFen": 2_000], ["thresholdFen": 10_000, "reductionFen": 3_000],
                ]
            ])
        #expect(try J.error(J.document(campaigns: [unordered]))?.field == "campaigns[0].rules.tiers[1].thresholdFen")
        // 满10减20: the fields swapped. Without a threshold (无门槛立减) any reduction is meant.
        let swapped = J.campaign(
            "c-s", kind: "spend_reduction", rules: ["tiers": [["thresholdFen": 2_000, "reductionFen": 10_000]]])
        let refused = try J.error(J.document(campaigns: [swapped]))
        #expect(refused?.field == "campaigns[0].rules.tiers[0].reductionFen")
        #expect(refused?.message.contains("at most its thresholdFen") == true, "\(String(describing: refused))")
        let whole = J.campaign(
            "c-w", kind: "spend_reduction", rules: ["tiers": [["thresholdFen": 2_000, "reductionFen": 2_000]]])
        let free = J.campaign(
            "c-f", kind: "spend_reduction", rules: ["tiers": [["thresholdFen": 0, "reductionFen": 500]]])
        #expect(try J.error(J.document(campaigns: [whole, free])) == nil)
    }

    @Test("Stacking's excludesCoupons and alerts' thresholds are read")
    func stackingAndAlerts() throws {
        var campaign = Self.reduction
        campaign["stacking"] = ["priority": 3, "exclusiveGroup": NSNull(), "stackable": false, "excludesCoupons": true]
        campaign["alerts"] = ["budgetThresholds": [0.8, 0.95, 1]]
        let scenario = try Scenario.decode(from: J.data(J.document(campaigns: [campaign])))
        #expect(
            scenario.campaigns[0].stacking
                == CampaignStacking(priority: 3, exclusiveGroup: nil, stackable: false, excludesCoupons: true))
        #expect(scenario.campaigns[0].alerts.budgetThresholdsBp == [8_000, 9_500, 10_000])
        campaign["alerts"] = ["budgetThresholds": [0.8, 1.5]]
        #expect(try J.error(J.document(campaigns: [campaign]))?.field == "campaigns[0].alerts.budgetThresholds[1]")
    }

    @Test("Coupon templates follow API.md's body; issued coupons name a known template")
    func couponTemplateFormat() throws {
        let template = J.template(
            "t-pct",
            discount: ["kind": "percent", "percentBp": 2_000, "thresholdFen": 5_000, "maxDiscountFen": 1_000],
            extra: [
                "scope": ["skus": [], "categories": ["hotpot"], "channels": ["online"], "stores": []],
                "stackable": true, "totalQuantity": 1_000, "perCustomerLimit": 1,
            ])
        let scenario = try Scenario.decode(
            from: J.data(J.document(templates: [template], coupons: [J.coupon("C-1", template: "t-pct")])))
        let coupon = try #require(scenario.coupons.first)
        #expect(coupon.templateId == "t-pct")
        #expect(coupon.discount == .percent(percentBp: 2_000, thresholdFen: 5_000, maxDiscountFen: 1_000))
        #expect(coupon.scope == CampaignScope(categories: ["hotpot"], channels: ["online"]))
        #expect(coupon.stackable)
        #expect(!coupon.redeemed)

        let unknown = J.document(templates: [template], coupons: [J.coupon("C-1", template: "t-none")])
        #expect(try J.error(unknown)?.field == "coupons[0].templateId")
        let twice = J.document(
            templates: [template], coupons: [J.coupon("C-1", template: "t-pct"), J.coupon("C-2", template: "t-pct")])
        #expect(try J.error(twice)?.field == "coupons[1].customerId")
    }

    @Test(
        "A template's discount is validated field by field",
        arguments: [
            (#"{"kind": "amount", "valueFen": 500, "maxDiscountFen": 100}"#, "discount.maxDiscountFen"),
            (#"{"kind": "percent", "percentBp": 500, "maxDiscountFen": 0}"#, "discount.maxDiscountFen"),
            (#"{"kind": "percent", "percentBp": 10001}"#, "discount.percentBp"),
            (#"{"kind": "percent", "percentBp": 0}"#, "discount.percentBp"),
            (#"{"kind": "amount", "valueFen": 0}"#, "discount.valueFen"),
            (#"{"kind": "amount", "valueFen": 500, "thresholdFen": -1}"#, "discount.thresholdFen"),
            (#"{"kind": "amount", "percentBp": 500}"#, "discount.percentBp"),
            (#"{"kind": "gift", "valueFen": 500}"#, "discount.kind"),
        ])
    func templateDiscountValidation(discount: String, field: String) throws {
        let document = J.document(templates: [J.template("t-1", discount: J.object(discount))])
        #expect(try J.error(document)?.field == "couponTemplates[0].\(field)")
    }

    @Test("A template's validity must start before it ends")
    func templateValidity() throws {
        let template = J.template(
            "t-1", discount: ["kind": "amount", "valueFen": 500],
            extra: ["validFrom": "2026-11-30T00:00:00+08:00", "validUntil": "2026-11-30T00:00:00+08:00"])
        #expect(try J.error(J.document(templates: [template]))?.field == "couponTemplates[0].validUntil")
    }

    @Test("The worked-example fixtures read in the settled format, budget and alerts included")
    func fixturesUseTheSettledFormat() throws {
        let example = try TestSupport.scenario("example1-spend-reduction")
        let campaign = try #require(example.campaigns.first)
        #expect(campaign.budget == BudgetAmounts(totalFen: 5_000_000, discountFen: 4_000_000, giftCostFen: 1_000_000))
        #expect(
            campaign.budgetLeft == BudgetAmounts(totalFen: 5_000_000, discountFen: 100_000, giftCostFen: 1_000_000))
        #expect(campaign.alerts.budgetThresholdsBp == [8_000, 9_500, 10_000])
    }
}
