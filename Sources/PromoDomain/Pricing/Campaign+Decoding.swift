import Foundation

/// Decoding of a campaign in a scenario: API.md's campaign body (`POST /v1/campaigns`) plus
/// the state the store holds in production (`status`, `budgetLeft`, `flashQuantityLeft`),
/// each defaulting to "as configured". Any other key is an error naming it.
extension Campaign: Decodable {
    /// `budgetMode`: "all_or_nothing" (the default) or "partial".
    private static func budgetMode(_ container: KeyedDecodingContainer<AnyKey>) throws -> Bool {
        switch try container.decodeIfPresent(String.self, forKey: AnyKey("budgetMode")) {
        case nil, "all_or_nothing": return false
        case "partial": return true
        case let other?:
            throw container.invalid("budgetMode", "unknown budget mode \"\(other)\" (all_or_nothing or partial)")
        }
    }

    /// The campaign body's keys, then the scenario-only state.
    static let keys = [
        "campaignId", "name", "kind", "window", "scope", "audience", "rules", "stacking", "budget", "alerts",
        "status", "budgetLeft", "flashQuantityLeft", "limits", "ordersLeft", "budgetMode",
    ]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(Self.keys)
        let campaignId = try container.decode(String.self, forKey: AnyKey("campaignId"))
        let kindText = try container.decode(String.self, forKey: AnyKey("kind"))
        guard let kind = CampaignKind(rawValue: kindText) else {
            throw DecodingError.dataCorruptedError(
                forKey: AnyKey("kind"), in: container, debugDescription: "unknown campaign kind \"\(kindText)\"")
        }
        let window = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("window"))
        try window.rejectUnknownKeys(["start", "end"])
        let rules = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("rules"))
        let budget = try container.decodeIfPresent(BudgetAmounts.self, forKey: AnyKey("budget"))
        let budgetLeft = try container.decodeIfPresent(BudgetAmounts.self, forKey: AnyKey("budgetLeft"))
        if budgetLeft != nil && budget == nil {
            throw container.invalid(
                "budgetLeft", "needs budget: a campaign without budget limits has nothing to run out of")
        }
        let flashQuantityLeft = try container.integerIfPresent(AnyKey("flashQuantityLeft"))
        if flashQuantityLeft != nil && kind != .flashSale {
            throw container.invalid("flashQuantityLeft", "only a flash_sale campaign has a flash quantity")
        }
        let statusText = try container.decodeIfPresent(String.self, forKey: AnyKey("status"))
        var status = CampaignStatus.active
        if let statusText {
            guard let parsed = CampaignStatus(rawValue: statusText) else {
                throw container.invalid(
                    "status",
                    "unknown status \"\(statusText)\" (one of \(CampaignStatus.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            status = parsed
        }
        self.init(
            campaignId: campaignId,
            name: try container.decodeIfPresent(String.self, forKey: AnyKey("name")) ?? "",
            rules: try CampaignRules.decode(kind: kind, from: rules),
            window: CampaignWindow(
                start: try window.timestamp(AnyKey("start")), end: try window.timestamp(AnyKey("end"))),
            scope: try container.decodeIfPresent(CampaignScope.self, forKey: AnyKey("scope")) ?? CampaignScope(),
            audience: try container.decodeIfPresent(CampaignAudience.self, forKey: AnyKey("audience"))
                ?? CampaignAudience(),
            stacking: try container.decodeIfPresent(CampaignStacking.self, forKey: AnyKey("stacking"))
                ?? CampaignStacking(),
            status: status,
            budget: budget,
            budgetLeft: budgetLeft,
            flashQuantityLeft: flashQuantityLeft,
            alerts: try container.decodeIfPresent(CampaignAlerts.self, forKey: AnyKey("alerts")) ?? CampaignAlerts(),
            limits: try container.decodeIfPresent(CampaignLimits.self, forKey: AnyKey("limits")) ?? CampaignLimits(),
            ordersLeft: try container.integerIfPresent(AnyKey("ordersLeft")),
            partialBudget: try Self.budgetMode(container)
        )
    }
}
