import Foundation
import PromoDomain
import Testing

private typealias T = TestSupport
private typealias J = ScenarioJSON

/// Issue 7, defect 9: no input traps the process or makes it allocate without bound.
/// Every amount and quantity is bounded in validation, with an error naming the field.
@Suite("Input bounds")
struct InputBoundsTests {
    /// The error building an engine over the test catalog with these campaigns gives.
    static func engineError(_ campaigns: [Campaign], catalog: [Product] = T.catalog) -> PricingInputError? {
        do {
            _ = try PricingEngine(catalog: catalog, campaigns: campaigns)
            return nil
        } catch {
            return error
        }
    }

    @Test("A bundle item with a huge quantity is rejected at validation, before anything is allocated")
    func hugeBundleQuantity() {
        let bundle = T.campaign(
            "c-b",
            .bundle(
                BundleRule(
                    items: [.init(sku: "HP-001", quantity: 1_000_000_000), .init(sku: "MD-002", quantity: 1)],
                    bundlePriceFen: 1)))
        let error = Self.engineError([bundle])
        #expect(error?.field == "campaigns[0].rules.items[0].quantity")
        #expect(error?.message.contains("1000") == true)
        let many = T.campaign(
            "c-b",
            .bundle(
                BundleRule(
                    items: (0..<21).map { .init(sku: "SKU-\($0)", quantity: 1) }, bundlePriceFen: 1)))
        let wide = (0..<21).map { Product(sku: "SKU-\($0)", name: "", priceFen: 100, costFen: 0, category: "c") }
        #expect(Self.engineError([many], catalog: wide)?.field == "campaigns[0].rules.items")
    }

    @Test("A bundle's saving is split per item by unit price × quantity")
    func bundleSharesPerItem() throws {
        // HP-001 × 2 + MD-002 = 7980 + 4590 = 12570 for 10000: saving 2570 split 7980 : 4590
        // = 1631.5… : 938.4… → 1632 and 938 (largest remainder).
        let bundle = T.campaign(
            "c-b",
            .bundle(
                BundleRule(
                    items: [.init(sku: "HP-001", quantity: 2), .init(sku: "MD-002", quantity: 1)],
                    bundlePriceFen: 10_000)))
        let quote = try T.quote([bundle], [("HP-001", 2), ("MD-002", 1)])
        #expect(quote.line(sku: "HP-001")?.adjustmentFen(campaignId: "c-b") == -1_632)
        #expect(quote.line(sku: "MD-002")?.adjustmentFen(campaignId: "c-b") == -938)
        #expect(quote.totalFen == 10_000)
        // The largest bundle validation allows builds at once and prices a cart without it.
        let largest = T.campaign(
            "c-max",
            .bundle(
                BundleRule(
                    items: [.init(sku: "HP-001", quantity: PricingLimits.maxBundleItemQuantity)], bundlePriceFen: 1)))
        #expect(try T.quote([largest], [("MD-002", 1)]).totalFen == 4_590)
    }

    /// Inputs that once passed validation and then trapped on overflow: each is now a named error.
    static let overflowing: [(String, CampaignRules, String)] = [
        ("special price", .specialPrice(prices: ["HP-001": Int.max]), "campaigns[0].rules.prices.HP-001"),
        (
            "gift quantity", .gift(GiftRule(thresholdFen: 0, giftSku: "TY-005", giftQuantity: Int.max / 100)),
            "campaigns[0].rules.giftQuantity"
        ),
        (
            "flash price",
            .flashSale(FlashSaleRule(sku: "WZ-003", priceFen: Int.max, quantity: 1, perCustomerLimit: 1)),
            "campaigns[0].rules.priceFen"
        ),
        (
            "flash quantity",
            .flashSale(FlashSaleRule(sku: "WZ-003", priceFen: 1, quantity: Int.max, perCustomerLimit: 1)),
            "campaigns[0].rules.quantity"
        ),
        (
            "reduction", .spendReduction(tiers: [ReductionTier(thresholdFen: 0, reductionFen: Int.max)]),
            "campaigns[0].rules.tiers[0].reductionFen"
        ),
        ("rebate points", .rebate(RebateRule(thresholdFen: 0, reward: .points(Int.max))), "campaigns[0].rules.points"),
        (
            "prize quantity",
            .lottery(
                LotteryRule(
                    minOrderFen: 0, prizes: [.init(prizeId: "p", name: "", quantity: Int.max, weight: 1, costFen: 0)])),
            "campaigns[0].rules.prizes[0].quantity"
        ),
    ]

    @Test("Huge amounts and quantities in campaigns are named errors, not traps", arguments: overflowing)
    func overflowIsAnError(name: String, rules: CampaignRules, field: String) throws {
        let error = try #require(Self.engineError([T.campaign("c-x", rules)]), "\(name)")
        #expect(error.field == field)
        #expect(error.message.contains("must be between"))
    }

    @Test("Huge prices, costs and budgets are named errors")
    func hugeCatalogAndBudget() {
        let dear = [Product(sku: "HP-001", name: "", priceFen: Int.max, costFen: 0, category: "hotpot")]
        #expect(Self.engineError([], catalog: dear)?.field == "catalog[0].priceFen")
        var campaign = T.campaign("c-r", .itemDiscount(percentBp: 1_000))
        campaign.budget = BudgetAmounts(discountFen: PricingLimits.maxAmountFen + 1)
        #expect(Self.engineError([campaign])?.field == "campaigns[0].budget.discountFen")
        let free = T.campaign("c-free", .itemDiscount(percentBp: 10_000))
        #expect(Self.engineError([free]) == nil)
    }

    @Test("A huge special price in a scenario is a PricingInputError, not a trap")
    func hugeSpecialPriceInAScenario() throws {
        let campaign = J.campaign(
            "c-sp", kind: "special_price", rules: ["prices": ["HP-001": 9_000_000_000_000_000_000 as Int]])
        let error = try J.error(J.document(campaigns: [campaign], lines: [("HP-001", 1)]))
        #expect(error?.field == "campaigns[0].rules.prices.HP-001")
    }

    @Test("Cart quantities, counts and list total are bounded, naming the line")
    func cartBounds() throws {
        #expect(try J.error(J.document(lines: [("HP-001", 100_001)]))?.field == "cart.lines[0].quantity")
        #expect(
            try J.error(J.document(lines: [("HP-001", 60_000), ("HP-001", 50_000)]))?.field == "cart.lines[1].quantity")
        #expect(try J.error(J.document(lines: [("HP-001", 100_000)]))?.field == nil)
        let codes = (0...PricingLimits.maxCouponCodes).map { "C-\($0)" }
        #expect(try J.error(J.document(codes: codes))?.field == "cart.couponCodes")
        var document = J.document()
        var cart = document["cart"] as? [String: Any] ?? [:]
        cart["pointsToRedeem"] = PricingLimits.maxPoints + 1
        document["cart"] = cart
        #expect(try J.error(document)?.field == "cart.pointsToRedeem")
    }

    @Test("A cart whose list total would overflow the engine's arithmetic is refused by its line")
    func cartListTotal() throws {
        // Three lines of 46 000 units at ¥100 000 000 with a 100 % item discount and a bundle
        // in play: each line passes the engine's own per-line check, but the bundle search
        // sums their savings × 10 000 past Int.max. The list total bound stops it first.
        let catalog: [[String: Any]] =
            ["A", "B", "C"].map { ["sku": $0, "priceFen": PricingLimits.maxAmountFen, "category": "dear"] }
            + [["sku": "D", "priceFen": 100, "category": "cheap"]]
        let campaigns = [
            J.campaign(
                "c-free", kind: "item_discount", rules: ["percentBp": 10_000],
                extra: ["scope": ["categories": ["dear"]]]),
            J.campaign("c-b", kind: "bundle", rules: ["items": [["sku": "D", "quantity": 1]], "bundlePriceFen": 50]),
        ]
        let document = J.document(
            campaigns: campaigns, lines: [("A", 46_000), ("B", 46_000), ("C", 46_000), ("D", 1)], catalog: catalog)
        let error = try #require(try J.error(document))
        #expect(error.field == "cart.lines[0].quantity")
        #expect(error.message.contains("list total"))
    }
}
