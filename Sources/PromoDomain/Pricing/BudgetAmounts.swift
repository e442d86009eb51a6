/// Amounts per sub-budget plus a total, as in API.md's `budget` object.
///
/// Used both for what is left (`nil` field: no limit on that sub-budget) and for what a
/// quote charges or a refund releases (all fields present).
public struct BudgetAmounts: Sendable, Hashable, SubBudgetFields {
    public var totalFen: Fen?
    public var discountFen: Fen?
    public var giftCostFen: Fen?
    public var couponSubsidyFen: Fen?
    public var pointsCostFen: Fen?

    public init(
        totalFen: Fen? = nil,
        discountFen: Fen? = nil,
        giftCostFen: Fen? = nil,
        couponSubsidyFen: Fen? = nil,
        pointsCostFen: Fen? = nil
    ) {
        self.totalFen = totalFen
        self.discountFen = discountFen
        self.giftCostFen = giftCostFen
        self.couponSubsidyFen = couponSubsidyFen
        self.pointsCostFen = pointsCostFen
    }
}
