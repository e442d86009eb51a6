/// Amounts per sub-budget plus a total, as in API.md's `budget` object.
///
/// Used both for what is left (`nil` field: no limit on that sub-budget) and for what a
/// quote charges or a refund releases (all fields present).
public struct BudgetAmounts: Sendable, Hashable {
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

    /// The amount for one sub-budget (`nil` when unlimited).
    public subscript(_ subBudget: SubBudget) -> Fen? {
        get {
            switch subBudget {
            case .discount: discountFen
            case .giftCost: giftCostFen
            case .couponSubsidy: couponSubsidyFen
            case .pointsCost: pointsCostFen
            }
        }
        set {
            switch subBudget {
            case .discount: discountFen = newValue
            case .giftCost: giftCostFen = newValue
            case .couponSubsidy: couponSubsidyFen = newValue
            case .pointsCost: pointsCostFen = newValue
            }
        }
    }
}
