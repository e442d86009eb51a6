import Foundation
import PromoDomain
import Testing

@Suite("What a campaign promises in stock")
struct PromisedStockTests {
    static let window = CampaignWindow(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 4e9))

    static func gift(budget: BudgetAmounts? = nil, maxOrders: Int? = nil) -> Campaign {
        Campaign(
            campaignId: "c-gift",
            rules: .gift(
                GiftRule(
                    thresholdFen: 19_900, giftSku: "TY-001", giftQuantity: 1,
                    higherTiers: [.init(thresholdFen: 39_900, giftSku: "TY-001", giftQuantity: 3)])),
            window: window, budget: budget, limits: CampaignLimits(maxOrders: maxOrders))
    }

    @Test("A flash sale promises its quantity less what it sold")
    func flash() {
        let campaign = Campaign(
            campaignId: "c-flash",
            rules: .flashSale(FlashSaleRule(sku: "WZ-001", priceFen: 990, quantity: 50, perCustomerLimit: 1)),
            window: Self.window)
        var consumed = CampaignStreamState.Consumption()
        consumed.flashUnits = 12
        #expect(campaign.promisedUnits(consumed: consumed, unitCostFen: { _ in 500 }) == ["WZ-001": 38])
    }

    @Test("A gift bounded by nothing promises one order's most generous tier")
    func unbounded() {
        #expect(Self.gift().promisedUnits(consumed: .init(), unitCostFen: { _ in 580 }) == ["TY-001": 3])
    }

    @Test("A gift promises the least of: orders left times the top tier, gift-cost budget left over unit cost")
    func bounded() {
        var consumed = CampaignStreamState.Consumption()
        consumed.orders = 4
        consumed.giftCostFen = 1_740  // three gifts at 580
        // 10 orders left of 14 → 30 units; (10 000 − 1 740) / 580 = 14 units (fen never rounds up to a gift).
        let both = Self.gift(budget: BudgetAmounts(giftCostFen: 10_000), maxOrders: 14)
        #expect(both.promisedUnits(consumed: consumed, unitCostFen: { _ in 580 }) == ["TY-001": 14])
        // Only the orders bound it.
        #expect(Self.gift(maxOrders: 14).promisedUnits(consumed: consumed, unitCostFen: { _ in 580 }) == ["TY-001": 30])
        // A spent budget promises nothing more.
        let spent = Self.gift(budget: BudgetAmounts(totalFen: 1_740))
        #expect(spent.promisedUnits(consumed: consumed, unitCostFen: { _ in 580 }) == ["TY-001": 0])
    }

    @Test("满减 promises no stock")
    func reduction() {
        let campaign = Campaign(
            campaignId: "c-r",
            rules: .spendReduction(SpendReductionRule(tiers: [.init(thresholdFen: 10_000, reductionFen: 2_000)])),
            window: Self.window)
        #expect(campaign.promisedUnits(consumed: .init(), unitCostFen: { _ in 1 }).isEmpty)
    }
}
