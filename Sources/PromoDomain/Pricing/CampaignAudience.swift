/// Who may benefit from a campaign: new customers only, tiers, tags (any of them).
public struct CampaignAudience: Sendable, Hashable {
    public var newCustomersOnly: Bool
    public var tiers: [String]
    public var tags: [String]

    public init(newCustomersOnly: Bool = false, tiers: [String] = [], tags: [String] = []) {
        self.newCustomersOnly = newCustomersOnly
        self.tiers = tiers
        self.tags = tags
    }

    /// Whether the customer belongs to the audience; empty lists do not restrict.
    public func admits(_ customer: CustomerContext) -> Bool {
        if newCustomersOnly && !customer.isNew { return false }
        if !tiers.isEmpty && !tiers.contains(customer.tier) { return false }
        if !tags.isEmpty && !tags.contains(where: customer.tags.contains) { return false }
        return true
    }
}
