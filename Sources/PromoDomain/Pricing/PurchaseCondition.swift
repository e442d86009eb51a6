/// A condition on other products than the ones a campaign discounts: buy a hot-pot base, get 20 % off
/// meatballs. Met when the cart's lines in the condition's scope reach `minUnits` units and `minFen` at list
/// price (before any promotion, so no promotion can make or break another's condition).
public struct PurchaseCondition: Sendable, Hashable {
    /// The products that count (SKUs, categories; empty lists: every product).
    public var scope: CampaignScope
    public var minUnits: Int
    public var minFen: Fen

    public init(scope: CampaignScope, minUnits: Int = 1, minFen: Fen = 0) {
        self.scope = scope
        self.minUnits = minUnits
        self.minFen = minFen
    }
}

extension PurchaseCondition: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["skus", "categories", "minUnits", "minFen"])
        self.init(
            scope: CampaignScope(
                skus: try container.list(AnyKey("skus")), categories: try container.list(AnyKey("categories"))),
            minUnits: try container.integerIfPresent(AnyKey("minUnits")) ?? 1,
            minFen: try container.integerIfPresent(AnyKey("minFen")) ?? 0)
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        for (index, sku) in scope.skus.enumerated() { try check.known(sku, "condition.skus[\(index)]") }
        try check.within(minUnits, 1...PricingLimits.maxQuantity, "condition.minUnits")
        try check.amount(minFen, "condition.minFen")
    }
}
