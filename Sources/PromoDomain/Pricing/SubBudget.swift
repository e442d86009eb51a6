/// The sub-budgets a campaign's spending is charged to.
public enum SubBudget: String, Sendable, Hashable, Codable, CaseIterable {
    /// Money taken off prices (item and order level).
    case discount
    /// Unit cost of gifts handed out.
    case giftCost
    /// Face value of coupons tied to the campaign.
    case couponSubsidy
    /// Points granted as rebates (1 point = 1 fen).
    case pointsCost

    /// Index into fixed-size per-sub-budget storage.
    @usableFromInline var slot: Int {
        switch self {
        case .discount: 0
        case .giftCost: 1
        case .couponSubsidy: 2
        case .pointsCost: 3
        }
    }
}

/// A value with one amount per sub-budget (what is left, what a quote charges); gives it a subscript by
/// ``SubBudget`` so the mapping from sub-budget to field is written once.
public protocol SubBudgetFields {
    associatedtype Amount
    var discountFen: Amount { get set }
    var giftCostFen: Amount { get set }
    var couponSubsidyFen: Amount { get set }
    var pointsCostFen: Amount { get set }
}

extension SubBudgetFields {
    /// The amount for one sub-budget.
    @inlinable
    public subscript(_ subBudget: SubBudget) -> Amount {
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
