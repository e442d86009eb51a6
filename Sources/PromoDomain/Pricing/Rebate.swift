/// A reward to grant after payment (满返); reported in the quote, never deducted.
public struct Rebate: Sendable, Hashable {
    public var campaignId: String
    public var reward: RebateRule.Reward
}
