/// How often a campaign may be used (API.md campaign body `limits`): per customer in all and per day,
/// new customers' first order only (新人首单), and a cap on orders across all customers (a budget counted in
/// uses). A quote checks them against the customer's usage (``CustomerContext``) and the campaign's orders
/// left; the order command records each use.
public struct CampaignLimits: Sendable, Hashable {
    /// Orders one customer may place with the campaign (nil: no limit).
    public var perCustomer: Int?
    /// Orders one customer may place with the campaign per calendar day in Asia/Shanghai (nil: no limit).
    public var perCustomerPerDay: Int?
    /// Only a customer's first order (新人首单).
    public var firstOrderOnly: Bool
    /// Orders the campaign may be used on in all (nil: no cap).
    public var maxOrders: Int?

    public init(
        perCustomer: Int? = nil, perCustomerPerDay: Int? = nil, firstOrderOnly: Bool = false, maxOrders: Int? = nil
    ) {
        self.perCustomer = perCustomer
        self.perCustomerPerDay = perCustomerPerDay
        self.firstOrderOnly = firstOrderOnly
        self.maxOrders = maxOrders
    }

    /// Whether any limit is set.
    public var restricts: Bool { perCustomer != nil || perCustomerPerDay != nil || firstOrderOnly || maxOrders != nil }

    /// Why this customer cannot use the campaign now, if they cannot. `ordersLeft`: the campaign's orders
    /// left under `maxOrders` (nil: as configured, that is all of them).
    func reason(for customer: CustomerContext, campaignId: String, ordersLeft: Int?) -> RejectionReason? {
        if firstOrderOnly && customer.previousOrders > 0 { return .notFirstOrder }
        if let limit = perCustomer, customer.campaignOrders[campaignId, default: 0] >= limit {
            return .usageLimitReached
        }
        if let limit = perCustomerPerDay, customer.campaignOrdersToday[campaignId, default: 0] >= limit {
            return .dailyLimitReached
        }
        if maxOrders != nil, let left = ordersLeft, left <= 0 { return .orderCapReached }
        return nil
    }
}

extension CampaignLimits: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["perCustomer", "perCustomerPerDay", "firstOrderOnly", "maxOrders"])
        self.init(
            perCustomer: try container.integerIfPresent(AnyKey("perCustomer")),
            perCustomerPerDay: try container.integerIfPresent(AnyKey("perCustomerPerDay")),
            firstOrderOnly: try container.decodeIfPresent(Bool.self, forKey: AnyKey("firstOrderOnly")) ?? false,
            maxOrders: try container.integerIfPresent(AnyKey("maxOrders")))
    }
}
