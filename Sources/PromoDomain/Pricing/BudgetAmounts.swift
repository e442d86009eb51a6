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

extension BudgetAmounts {
    /// What is left given the configured `limits` and a `snapshot` of what is left: each key
    /// the snapshot leaves out is still as configured; without limits the snapshot is the limit.
    static func left(limits: BudgetAmounts?, snapshot: BudgetAmounts?) -> BudgetAmounts? {
        guard let limits else { return snapshot }
        guard let snapshot else { return limits }
        return BudgetAmounts(
            totalFen: snapshot.totalFen ?? limits.totalFen,
            discountFen: snapshot.discountFen ?? limits.discountFen,
            giftCostFen: snapshot.giftCostFen ?? limits.giftCostFen,
            couponSubsidyFen: snapshot.couponSubsidyFen ?? limits.couponSubsidyFen,
            pointsCostFen: snapshot.pointsCostFen ?? limits.pointsCostFen)
    }
}
