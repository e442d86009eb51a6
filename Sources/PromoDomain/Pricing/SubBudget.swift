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
