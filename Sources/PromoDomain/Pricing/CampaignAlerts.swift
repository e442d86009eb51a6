/// When the campaign's budget stream raises alerts: API.md's `alerts`.
public struct CampaignAlerts: Sendable, Hashable {
    /// Fractions of the budget consumed, as basis points (API.md's 0.8 is 8 000), ascending.
    public var budgetThresholdsBp: [Int]

    public init(budgetThresholdsBp: [Int] = []) {
        self.budgetThresholdsBp = budgetThresholdsBp
    }
}
