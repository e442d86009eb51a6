/// An active (or draft) promotion as the pricing engine needs it, including its state.
///
/// `budgetLeft` and `flashQuantityLeft` are snapshots of the campaign's budget and
/// flash-sale streams; pricing never reads them from storage itself.
public struct Campaign: Sendable, Hashable {
    public var campaignId: String
    public var name: String
    public var rules: CampaignRules
    public var window: CampaignWindow
    public var scope: CampaignScope
    public var audience: CampaignAudience
    public var stacking: CampaignStacking
    public var status: CampaignStatus
    /// What is left of each sub-budget; `nil` means no budget limit at all.
    public var budgetLeft: BudgetAmounts?
    /// Flash-sale units still for sale; `nil` means the rule's full `quantity`.
    public var flashQuantityLeft: Int?

    public init(
        campaignId: String,
        name: String = "",
        rules: CampaignRules,
        window: CampaignWindow,
        scope: CampaignScope = CampaignScope(),
        audience: CampaignAudience = CampaignAudience(),
        stacking: CampaignStacking = CampaignStacking(),
        status: CampaignStatus = .active,
        budgetLeft: BudgetAmounts? = nil,
        flashQuantityLeft: Int? = nil
    ) {
        self.campaignId = campaignId
        self.name = name
        self.rules = rules
        self.window = window
        self.scope = scope
        self.audience = audience
        self.stacking = stacking
        self.status = status
        self.budgetLeft = budgetLeft
        self.flashQuantityLeft = flashQuantityLeft
    }

    /// The campaign's kind, derived from its rules.
    public var kind: CampaignKind { rules.kind }
}
