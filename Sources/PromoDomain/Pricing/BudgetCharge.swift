/// What one campaign's budget is charged by a quote, or released by a refund.
public struct BudgetCharge: Sendable, Hashable, SubBudgetFields {
    public var campaignId: String
    public var discountFen: Fen
    public var giftCostFen: Fen
    public var couponSubsidyFen: Fen
    public var pointsCostFen: Fen

    public init(
        campaignId: String, discountFen: Fen = 0, giftCostFen: Fen = 0, couponSubsidyFen: Fen = 0,
        pointsCostFen: Fen = 0
    ) {
        self.campaignId = campaignId
        self.discountFen = discountFen
        self.giftCostFen = giftCostFen
        self.couponSubsidyFen = couponSubsidyFen
        self.pointsCostFen = pointsCostFen
    }

    /// Sum over all sub-budgets, charged against the campaign's total budget.
    public var totalFen: Fen { discountFen + giftCostFen + couponSubsidyFen + pointsCostFen }
}
