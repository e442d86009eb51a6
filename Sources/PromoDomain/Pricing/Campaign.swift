/// An active (or draft) promotion as the pricing engine needs it, including its state.
///
/// `budget` holds the limits as configured (API.md's `budget`); `budgetLeft` and
/// `flashQuantityLeft` are snapshots of the campaign's budget and flash-sale streams;
/// pricing never reads them from storage itself.
public struct Campaign: Sendable, Hashable {
    public var campaignId: String
    public var name: String
    public var rules: CampaignRules
    public var window: CampaignWindow
    public var scope: CampaignScope
    public var audience: CampaignAudience
    public var stacking: CampaignStacking
    public var status: CampaignStatus
    /// The configured limits per cost kind and an optional total cap over them; `nil`, or a
    /// key left out, is unlimited in that respect.
    public var budget: BudgetAmounts?
    /// Budget alert thresholds (API.md's `alerts`); carried for the budget stream, not used in pricing.
    public var alerts: CampaignAlerts
    /// The snapshot of what is left as given, before keys it leaves out are filled from `budget`.
    var budgetLeftSnapshot: BudgetAmounts?
    /// Flash-sale units still for sale; `nil` means the rule's full `quantity`.
    public var flashQuantityLeft: Int?
    /// How often the campaign may be used (API.md `limits`).
    public var limits: CampaignLimits
    /// When the discount budget left is short of what the campaign would give: refuse it (`false`, the default)
    /// or apply what is left (`true`, `budgetMode: "partial"`): an order-level amount shrinks to the budget left,
    /// an item-level offer prices the units the budget still pays for (those saving most). Bundles, add-ons and
    /// gifts are one price or none, never partial.
    public var partialBudget: Bool
    /// Orders still allowed under `limits.maxOrders`; `nil` means all of them (scenario state, like
    /// `flashQuantityLeft`).
    public var ordersLeft: Int?

    /// What is left of each limit: the snapshot that was set, where a key it leaves out (or
    /// the whole snapshot, when none was set) is still as configured in `budget`.
    ///
    /// `nil` means no budget limit at all. Without `budget`, the snapshot alone is the limit.
    public var budgetLeft: BudgetAmounts? {
        get { BudgetAmounts.left(limits: budget, snapshot: budgetLeftSnapshot) }
        set { budgetLeftSnapshot = newValue }
    }

    public init(
        campaignId: String,
        name: String = "",
        rules: CampaignRules,
        window: CampaignWindow,
        scope: CampaignScope = CampaignScope(),
        audience: CampaignAudience = CampaignAudience(),
        stacking: CampaignStacking = CampaignStacking(),
        status: CampaignStatus = .active,
        budget: BudgetAmounts? = nil,
        budgetLeft: BudgetAmounts? = nil,
        flashQuantityLeft: Int? = nil,
        alerts: CampaignAlerts = CampaignAlerts(),
        limits: CampaignLimits = CampaignLimits(),
        ordersLeft: Int? = nil,
        partialBudget: Bool = false
    ) {
        self.partialBudget = partialBudget
        self.limits = limits
        self.ordersLeft = ordersLeft
        self.campaignId = campaignId
        self.name = name
        self.rules = rules
        self.window = window
        self.scope = scope
        self.audience = audience
        self.stacking = stacking
        self.status = status
        self.budget = budget
        self.alerts = alerts
        self.budgetLeftSnapshot = budgetLeft
        self.flashQuantityLeft = flashQuantityLeft
    }

    /// The campaign's kind, derived from its rules.
    public var kind: CampaignKind { rules.kind }
}
