/// The accounts the reconciliation journal books to, as the brand's finance names them (CAS 14: price
/// reductions reduce revenue; gifts are a selling expense; points defer revenue as a contract liability until
/// redeemed or expired; ads, print and push are selling expenses). The README's "Financial reconciliation"
/// states the treatment entry by entry.
public enum Account: String, CaseIterable, Sendable {
    case bank = "1002"
    case inventory = "1405"
    case payables = "2202"
    case pointsLiability = "2203"
    case salesGross = "6001.01"
    case priceReductions = "6001.02"
    case pointsDeferred = "6001.03"
    case pointsExpired = "6001.04"
    case salesReturns = "6001.05"
    case giftExpense = "6601.01"
    case promotionExpense = "6601.02"

    /// The name in the brand's chart of accounts.
    public var name: String {
        switch self {
        case .bank: "银行存款（支付清算）"
        case .inventory: "库存商品"
        case .payables: "应付账款"
        case .pointsLiability: "合同负债－积分"
        case .salesGross: "主营业务收入－商品销售"
        case .priceReductions: "主营业务收入－价格折让（满减、折扣、优惠券）"
        case .pointsDeferred: "主营业务收入－积分递延"
        case .pointsExpired: "主营业务收入－积分失效转收入"
        case .salesReturns: "主营业务收入－销售退回"
        case .giftExpense: "销售费用－赠品"
        case .promotionExpense: "销售费用－广告宣传（广告、印刷、推送）"
        }
    }

    /// Whether the account is part of revenue (main business income and its contra accounts).
    public var isRevenue: Bool { rawValue.hasPrefix("6001") }
}

/// What a journal line charged to a campaign is, in the management view by campaign and cost kind.
public enum CostKind: String, CaseIterable, Sendable {
    case discount
    case couponSubsidy = "coupon_subsidy"
    case giftCost = "gift_cost"
    case pointsCost = "points_cost"
    /// A coupon of no campaign (its discount reduces revenue, charged to no budget).
    case coupon
    /// Points earned on the amount paid (not a campaign's).
    case orderPoints = "order_points"
    case ads, print, push, other
}

/// One line of an entry: an account debited or credited.
struct JournalLine: Sendable {
    var account: Account
    var campaignId: String?
    var costKind: CostKind?
    var debit: Int64
    var credit: Int64

    /// A debit of `amount` (a negative amount is a credit of its magnitude, so amounts stay non-negative).
    static func debit(_ account: Account, _ amount: Int64, campaign: String? = nil, kind: CostKind? = nil)
        -> JournalLine
    {
        amount >= 0
            ? JournalLine(account: account, campaignId: campaign, costKind: kind, debit: amount, credit: 0)
            : JournalLine(account: account, campaignId: campaign, costKind: kind, debit: 0, credit: -amount)
    }

    static func credit(_ account: Account, _ amount: Int64, campaign: String? = nil, kind: CostKind? = nil)
        -> JournalLine
    {
        debit(account, -amount, campaign: campaign, kind: kind)
    }

    /// The same line on the other side: an entry's reversal.
    var reversed: JournalLine {
        JournalLine(account: account, campaignId: campaignId, costKind: costKind, debit: credit, credit: debit)
    }
}

/// One balanced entry, from the event it books.
struct JournalEntry: Sendable {
    var id: String
    var day: String
    var kind: String
    var orderId: String?
    var refundId: String?
    var campaignId: String?
    var description: String
    var position: Int64
    var streamId: String
    var eventType: String
    /// Lines with a zero amount are left out.
    var lines: [JournalLine]

    var nonZeroLines: [JournalLine] { lines.filter { $0.debit != 0 || $0.credit != 0 } }
}
