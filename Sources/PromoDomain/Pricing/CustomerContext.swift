/// What pricing knows about the shopper: audience attributes, points, flash purchases.
public struct CustomerContext: Sendable, Hashable {
    public var customerId: String
    public var tier: String
    public var tags: [String]
    public var isNew: Bool
    public var pointsBalance: Int
    /// Units already bought per flash-sale campaign id, for per-customer limits.
    public var flashPurchases: [String: Int]
    /// Home region, used for region scopes when the store's region is unknown.
    public var region: String?
    /// Orders placed before this one (0: this is the first, 新人首单).
    public var previousOrders: Int
    /// Orders placed with each campaign (by id), in all and today (Asia/Shanghai), for `limits`.
    public var campaignOrders: [String: Int]
    public var campaignOrdersToday: [String: Int]

    public init(
        customerId: String,
        tier: String = "regular",
        tags: [String] = [],
        isNew: Bool = false,
        pointsBalance: Int = 0,
        flashPurchases: [String: Int] = [:],
        region: String? = nil,
        previousOrders: Int = 0,
        campaignOrders: [String: Int] = [:],
        campaignOrdersToday: [String: Int] = [:]
    ) {
        self.previousOrders = previousOrders
        self.campaignOrders = campaignOrders
        self.campaignOrdersToday = campaignOrdersToday
        self.customerId = customerId
        self.tier = tier
        self.tags = tags
        self.isNew = isNew
        self.pointsBalance = pointsBalance
        self.flashPurchases = flashPurchases
        self.region = region
    }
}
