import Foundation
import PromoDomain
import Testing

@Suite("Placing an order: decide")
struct OrderPlacementTests {
    static let order = OrderPlacement.Order(
        orderId: "o-1", customerId: "u-1", channel: "online", storeId: "s-online", fulfilmentLocation: "wh-cd",
        paymentMethod: "wechat", day: "2026-11-11", now: TestSupport.now)

    /// 满100减20 with a 5 000-fen discount budget, alerts at 50 % and 80 %.
    static let reduction = Campaign(
        campaignId: "c-reduce",
        rules: .spendReduction(tiers: [ReductionTier(thresholdFen: 10_000, reductionFen: 2_000)]),
        window: TestSupport.window, budget: BudgetAmounts(discountFen: 5_000),
        alerts: CampaignAlerts(budgetThresholdsBp: [5_000, 8_000]))

    /// The campaign's stream: created, then `consumed` fen of discount used by earlier orders.
    static func campaignState(consumed: Int64) throws -> CampaignStreamState {
        var state = CampaignStreamState()
        let events: [any DomainEvent] =
            [CampaignCreated(campaignId: "c-reduce", definition: .object([:]))]
            + (consumed > 0
                ? [
                    CampaignBudgetConsumed(
                        campaignId: "c-reduce", orderId: "o-0", customerId: "u-0", day: "2026-11-11",
                        discountFen: consumed)
                ] : [])
        for event in events { try state.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event)) }
        return state
    }

    static func stock(_ onHand: Int64) throws -> StockState {
        var state = StockState()
        for event in try state.decide(.receive(quantity: onHand), sku: "x", location: "wh-cd") {
            try state.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event))
        }
        return state
    }

    @Test("Reserves every unit where the order ships from, charges the campaign and crosses its thresholds")
    func placed() throws {
        // 2 × 3 990 + 4 590 = 12 570, less 2 000: 10 570.
        let quote = try TestSupport.quote([Self.reduction], [("HP-001", 2), ("MD-002", 1)])
        #expect(quote.subtotalFen == 12_570)
        #expect(quote.totalFen == 10_570)
        let decided = try OrderPlacement.decide(
            Self.order, quote: quote, stock: ["HP-001": try Self.stock(5), "MD-002": try Self.stock(1)],
            campaigns: [
                ("c-reduce", .init(state: try Self.campaignState(consumed: 2_000), definition: Self.reduction))
            ],
            points: PointsAccount(), customer: CustomerRecord())

        #expect(decided.order.totalFen == 10_570)
        #expect(decided.order.discountFen == 2_000)
        #expect(decided.order.fulfilmentLocation == "wh-cd")
        #expect(
            decided.order.reservations == [
                .init(sku: "HP-001", quantity: 2), .init(sku: "MD-002", quantity: 1),
            ])
        #expect(decided.order.campaigns.map(\.discountFen) == [2_000])
        #expect(decided.order.campaigns.map(\.definitionVersion) == [1])
        #expect(decided.stock.map(\.sku) == ["HP-001", "MD-002"])
        #expect(
            decided.stock.map { $0.events as? [StockReserved] } == [
                [StockReserved(sku: "HP-001", location: "wh-cd", quantity: 2, orderId: "o-1")],
                [StockReserved(sku: "MD-002", location: "wh-cd", quantity: 1, orderId: "o-1")],
            ])
        // 2 000 before, 4 000 after, of 5 000: past 2 500 (50 %) and at 4 000 (80 %), both in this append.
        let campaign = try #require(decided.campaigns.first)
        #expect(campaign.campaignId == "c-reduce")
        #expect(
            campaign.events.first as? CampaignBudgetConsumed
                == CampaignBudgetConsumed(
                    campaignId: "c-reduce", orderId: "o-1", customerId: "u-1", day: "2026-11-11", discountFen: 2_000))
        #expect(
            campaign.events.dropFirst().compactMap { $0 as? CampaignBudgetThresholdCrossed } == [
                CampaignBudgetThresholdCrossed(
                    campaignId: "c-reduce", orderId: "o-1", budget: "discountFen", thresholdBp: 5_000,
                    consumedFen: 4_000, limitFen: 5_000),
                CampaignBudgetThresholdCrossed(
                    campaignId: "c-reduce", orderId: "o-1", budget: "discountFen", thresholdBp: 8_000,
                    consumedFen: 4_000, limitFen: 5_000),
            ])
        #expect(campaign.events.count == 3)
        // No points spent, no coupon, a guest without a profile: nothing on those streams.
        #expect(decided.points.isEmpty && decided.coupons.isEmpty && decided.customer.isEmpty)

        // Already past 80 %: the same order crosses nothing.
        let later = try OrderPlacement.decide(
            Self.order, quote: quote, stock: ["HP-001": try Self.stock(5), "MD-002": try Self.stock(1)],
            campaigns: [
                ("c-reduce", .init(state: try Self.campaignState(consumed: 4_000), definition: Self.reduction))
            ],
            points: PointsAccount(), customer: CustomerRecord())
        #expect(later.campaigns.first?.events.count == 1)
    }

    @Test("A unit short, or a SKU whose stock was not loaded, refuses the whole order")
    func refused() throws {
        let quote = try TestSupport.quote([Self.reduction], [("HP-001", 2), ("MD-002", 1)])
        let campaigns: [(id: String, used: OrderPlacement.UsedCampaign)] = [
            ("c-reduce", .init(state: try Self.campaignState(consumed: 0), definition: Self.reduction))
        ]
        #expect(throws: OrderPlacementError.stock(sku: "MD-002", .insufficientStock(available: 0, delta: -1))) {
            try OrderPlacement.decide(
                Self.order, quote: quote, stock: ["HP-001": try Self.stock(5), "MD-002": StockState()],
                campaigns: campaigns, points: PointsAccount(), customer: CustomerRecord())
        }
        #expect(throws: OrderPlacementError.stockNotLoaded(sku: "MD-002")) {
            try OrderPlacement.decide(
                Self.order, quote: quote, stock: ["HP-001": try Self.stock(5)], campaigns: campaigns,
                points: PointsAccount(), customer: CustomerRecord())
        }
    }
}
