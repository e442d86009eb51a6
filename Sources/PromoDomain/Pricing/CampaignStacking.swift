/// How a campaign combines with others: order of application and exclusivity.
public struct CampaignStacking: Sendable, Hashable {
    /// Lower numbers apply first; ties are broken by campaign id.
    public var priority: Int
    /// Inside one group only the campaign best for the shopper applies.
    public var exclusiveGroup: String?
    /// A non-stackable order-level campaign only applies alone.
    public var stackable: Bool
    /// 不与优惠券同享: the lines this campaign discounted take no coupon (they are outside
    /// every coupon's scope, so they neither count toward a threshold nor receive a share).
    public var excludesCoupons: Bool

    public init(priority: Int = 0, exclusiveGroup: String? = nil, stackable: Bool = true, excludesCoupons: Bool = false)
    {
        self.priority = priority
        self.exclusiveGroup = exclusiveGroup
        self.stackable = stackable
        self.excludesCoupons = excludesCoupons
    }
}
