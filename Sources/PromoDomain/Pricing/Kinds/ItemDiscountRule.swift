/// 单品折扣: every unit in the campaign's scope at `percentBp` off its list price; optionally only once a
/// condition on other products is met (买火锅底料, 牛肉丸8折), and only for the first `maxUnits` units.
public struct ItemDiscountRule: Sendable, Hashable {
    public var percentBp: Int
    public var condition: PurchaseCondition?
    /// Units per order that get the discount (nil: all of them).
    public var maxUnits: Int?
    public init(percentBp: Int, condition: PurchaseCondition? = nil, maxUnits: Int? = nil) {
        self.percentBp = percentBp
        self.condition = condition
        self.maxUnits = maxUnits
    }
}

extension ItemDiscountRule: CampaignRule {
    static let kind = CampaignKind.itemDiscount
    var wrapped: CampaignRules { .itemDiscount(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["percentBp", "condition", "maxUnits"])
        self.init(
            percentBp: try rules.integer(AnyKey("percentBp")),
            condition: try rules.decodeIfPresent(PurchaseCondition.self, forKey: AnyKey("condition")),
            maxUnits: try rules.integerIfPresent(AnyKey("maxUnits")))
    }

    /// 1…10 000 basis points: 100 % makes the item free, as a special price of 0 may.
    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.percent(percentBp, "percentBp")
        try condition?.validate(check)
        if let maxUnits { try check.within(maxUnits, 1...PricingLimits.maxQuantity, "maxUnits") }
    }
}

extension ItemDiscountRule: UnitOfferRule {
    func unitTerms(for product: Product, inScope: Bool) -> UnitTerms? { inScope ? .percentOff(percentBp) : nil }
    var unitLimit: (quantity: Int, perCustomer: Int)? { nil }
    var unitsPerOrder: Int? { maxUnits }
}
