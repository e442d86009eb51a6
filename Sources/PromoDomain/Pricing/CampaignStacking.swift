/// How a campaign combines with others: order of application and exclusivity.
public struct CampaignStacking: Sendable, Hashable {
    /// Lower numbers apply first; ties are broken by campaign id.
    public var priority: Int
    /// Inside one group only the campaign best for the shopper applies.
    public var exclusiveGroup: String?
    /// A non-stackable order-level campaign only applies alone.
    public var stackable: Bool

    public init(priority: Int = 0, exclusiveGroup: String? = nil, stackable: Bool = true) {
        self.priority = priority
        self.exclusiveGroup = exclusiveGroup
        self.stackable = stackable
    }
}
