import Foundation
import PromoDomain
import Testing

/// Usage limits: per customer, per day, first order only (新人首单), and a cap on orders in all.
@Suite("Usage limits")
struct UsageLimitTests {
    typealias T = TestSupport

    static func campaign(_ limits: CampaignLimits, ordersLeft: Int? = nil) -> Campaign {
        var campaign = T.campaign(
            "c-new", .spendReduction(tiers: [ReductionTier(thresholdFen: 0, reductionFen: 1_000)]))
        campaign.limits = limits
        campaign.ordersLeft = ordersLeft
        return campaign
    }

    static func quote(_ campaign: Campaign, _ customer: CustomerContext, ordersLeft: [String: Int] = [:]) throws
        -> Quote
    {
        let engine = try PricingEngine(catalog: T.catalog, campaigns: [campaign])
        let cart = Cart(
            customerId: customer.customerId, channel: "online", storeId: "s-online",
            lines: [Cart.Line(sku: "HP-001", quantity: 1)])
        return try engine.quote(QuoteRequest(cart: cart, customer: customer, now: T.now, ordersLeft: ordersLeft))
    }

    @Test("新人首单: only a customer's first order")
    func firstOrderOnly() throws {
        let campaign = Self.campaign(CampaignLimits(firstOrderOnly: true))
        #expect(try Self.quote(campaign, CustomerContext(customerId: "u-1")).totalFen == 2_990)
        let returning = try Self.quote(campaign, CustomerContext(customerId: "u-1", previousOrders: 3))
        #expect(returning.rejection(campaignId: "c-new") == .notFirstOrder)
        #expect(returning.totalFen == 3_990)
    }

    @Test("Per customer in all and per day")
    func perCustomer() throws {
        let campaign = Self.campaign(CampaignLimits(perCustomer: 3, perCustomerPerDay: 1))
        let fresh = try Self.quote(campaign, CustomerContext(customerId: "u-1", campaignOrders: ["c-new": 2]))
        #expect(fresh.applied(campaignId: "c-new")?.amountFen == 1_000)
        let used = try Self.quote(campaign, CustomerContext(customerId: "u-1", campaignOrders: ["c-new": 3]))
        #expect(used.rejection(campaignId: "c-new") == .usageLimitReached)
        let today = try Self.quote(
            campaign,
            CustomerContext(customerId: "u-1", campaignOrders: ["c-new": 1], campaignOrdersToday: ["c-new": 1]))
        #expect(today.rejection(campaignId: "c-new") == .dailyLimitReached)
    }

    @Test("A campaign-wide cap on orders, from the campaign's state or the request's")
    func orderCap() throws {
        let capped = Self.campaign(CampaignLimits(maxOrders: 100), ordersLeft: 0)
        #expect(
            try Self.quote(capped, CustomerContext(customerId: "u-1")).rejection(campaignId: "c-new")
                == .orderCapReached)
        let open = Self.campaign(CampaignLimits(maxOrders: 100))
        #expect(try Self.quote(open, CustomerContext(customerId: "u-1")).totalFen == 2_990)
        let overridden = try Self.quote(open, CustomerContext(customerId: "u-1"), ordersLeft: ["c-new": 0])
        #expect(overridden.rejection(campaignId: "c-new") == .orderCapReached)
    }

    @Test("Limits are positive; orders left need a cap and stay within it")
    func validation() throws {
        #expect(throws: PricingInputError.self) {
            try Self.quote(Self.campaign(CampaignLimits(perCustomer: 0)), CustomerContext(customerId: "u-1"))
        }
        let error = #expect(throws: PricingInputError.self) {
            try Self.quote(Self.campaign(CampaignLimits(), ordersLeft: 5), CustomerContext(customerId: "u-1"))
        }
        #expect(error?.field == "campaigns[0].ordersLeft")
        #expect(throws: PricingInputError.self) {
            try Self.quote(
                Self.campaign(CampaignLimits(maxOrders: 10), ordersLeft: 11), CustomerContext(customerId: "u-1"))
        }
    }

    @Test("Limits and usage decode from the scenario format")
    func decoding() throws {
        let json = """
            {"now": "2026-11-11T10:00:00+08:00",
             "catalog": [{"sku": "WZ-003", "name": "牛肉丸", "priceFen": 2990, "category": "hotpot"}],
             "campaigns": [{"campaignId": "c-1", "name": "新人首单立减", "kind": "spend_reduction",
               "window": {"start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"},
               "rules": {"tiers": [{"thresholdFen": 0, "reductionFen": 500}]},
               "limits": {"firstOrderOnly": true, "perCustomer": 1, "maxOrders": 1000}, "ordersLeft": 10}],
             "customer": {"customerId": "u-1", "previousOrders": 1, "campaignOrders": {"c-1": 0}},
             "cart": {"customerId": "u-1", "channel": "online", "storeId": "s-1",
                      "lines": [{"sku": "WZ-003", "quantity": 1}]}}
            """
        let quote = try Scenario.decode(from: Data(json.utf8)).quote()
        #expect(quote.rejection(campaignId: "c-1") == .notFirstOrder)
        #expect(quote.totalFen == 2_990)
    }
}

@Suite("Partial budget")
struct PartialBudgetTests {
    typealias T = TestSupport

    @Test("A partial-budget campaign applies what its budget still allows; by default it applies nothing")
    func partial() throws {
        var campaign = T.campaign(
            "c-spend", .spendReduction(tiers: [ReductionTier(thresholdFen: 5_000, reductionFen: 2_000)]),
            budgetLeft: BudgetAmounts(discountFen: 1_500))
        let refused = try T.quote([campaign], [("MD-002", 2)])
        #expect(refused.rejection(campaignId: "c-spend") == .budgetExhausted)
        #expect(refused.totalFen == 9_180)

        campaign.partialBudget = true
        let partial = try T.quote([campaign], [("MD-002", 2)])
        #expect(partial.applied(campaignId: "c-spend")?.amountFen == 1_500)
        #expect(partial.budgetCharge(campaignId: "c-spend").discountFen == 1_500)
        #expect(partial.totalFen == 7_680)

        campaign.budgetLeft = BudgetAmounts(discountFen: 0)
        #expect(try T.quote([campaign], [("MD-002", 2)]).rejection(campaignId: "c-spend") == .budgetExhausted)
    }

    @Test("budgetMode decodes, and an unknown mode is refused")
    func decoding() throws {
        func json(_ mode: String) -> Data {
            Data(
                """
                {"now": "2026-11-11T10:00:00+08:00",
                 "catalog": [{"sku": "WZ-003", "name": "牛肉丸", "priceFen": 2990, "category": "hotpot"}],
                 "campaigns": [{"campaignId": "c-1", "name": "满减", "kind": "spend_reduction",
                   "window": {"start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"},
                   "rules": {"tiers": [{"thresholdFen": 0, "reductionFen": 1000}]},
                   "budget": {"discountFen": 10000}, "budgetLeft": {"discountFen": 400}, "budgetMode": "\(mode)"}],
                 "customer": {"customerId": "u-1"},
                 "cart": {"customerId": "u-1", "channel": "online", "storeId": "s-1",
                          "lines": [{"sku": "WZ-003", "quantity": 1}]}}
                """.utf8)
        }
        #expect(try Scenario.decode(from: json("partial")).quote().totalFen == 2_590)
        #expect(try Scenario.decode(from: json("all_or_nothing")).quote().totalFen == 2_990)
        let error = #expect(throws: PricingInputError.self) { try Scenario.decode(from: json("some")) }
        #expect(error?.field == "campaigns[0].budgetMode")
    }
}

@Suite("Partial budgets at item level")
struct ItemPartialBudgetTests {
    typealias T = TestSupport

    @Test("A special price with a partial budget prices only the units its budget still pays for")
    func specialPriceUnits() throws {
        // MD-002 lists at 4 590; 特价 3 590 saves 1 000 a unit; 2 500 left pays for two units, not three.
        var campaign = T.campaign(
            "c-price", .specialPrice(prices: ["MD-002": 3_590]), budgetLeft: BudgetAmounts(discountFen: 2_500))
        let refused = try T.quote([campaign], [("MD-002", 3)])
        #expect(refused.rejection(campaignId: "c-price") == .budgetExhausted)
        #expect(refused.totalFen == 13_770)

        campaign.partialBudget = true
        let partial = try T.quote([campaign], [("MD-002", 3)])
        #expect(partial.applied(campaignId: "c-price")?.amountFen == 2_000)
        #expect(partial.budgetCharge(campaignId: "c-price").discountFen == 2_000)
        #expect(partial.totalFen == 11_770)
        #expect(partial.line(sku: "MD-002")?.netFen == 11_770)

        // Not one unit's worth left: refused, as all-or-nothing would.
        campaign.budgetLeft = BudgetAmounts(discountFen: 999)
        #expect(try T.quote([campaign], [("MD-002", 3)]).rejection(campaignId: "c-price") == .budgetExhausted)
    }

    @Test("The units a partial budget pays for go to the lines saving most, and the charge never exceeds it")
    func unitsSavingMostFirst() throws {
        // 10 % off: HP-001 (3 990) saves 399 a unit, MD-002 (4 590) saves 459. 1 000 left pays for two MD-002
        // units (918), not a third unit of anything.
        var campaign = T.campaign(
            "c-off", .itemDiscount(percentBp: 1_000), budgetLeft: BudgetAmounts(discountFen: 1_000))
        campaign.partialBudget = true
        let quote = try T.quote([campaign], [("HP-001", 2), ("MD-002", 2)])
        #expect(quote.applied(campaignId: "c-off")?.amountFen == 918)
        #expect(quote.line(sku: "MD-002")?.netFen == 8_262)
        #expect(quote.line(sku: "HP-001")?.netFen == 7_980)
        #expect(quote.budgetCharge(campaignId: "c-off").discountFen <= 1_000)
        #expect(quote.totalFen == 16_242)
    }
}
