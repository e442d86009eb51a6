/// 单品立减: `amountFen` off every unit in the campaign's scope (never below 0); optionally only once a
/// condition on other products is met, and only for the first `maxUnits` units.
public struct UnitAmountOffRule: Sendable, Hashable {
    public var amountFen: Fen
    public var condition: PurchaseCondition?
    /// Units per order that get the amount off (nil: all of them).
    public var maxUnits: Int?
    public init(amountFen: Fen, condition: PurchaseCondition? = nil, maxUnits: Int? = nil) {
        self.amountFen = amountFen
        self.condition = condition
        self.maxUnits = maxUnits
    }
}

extension UnitAmountOffRule: CampaignRule, UnitOfferRule {
    static let kind = CampaignKind.unitAmountOff
    var wrapped: CampaignRules { .unitAmountOff(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["amountFen", "condition", "maxUnits"])
        self.init(
            amountFen: try rules.integer(AnyKey("amountFen")),
            condition: try rules.decodeIfPresent(PurchaseCondition.self, forKey: AnyKey("condition")),
            maxUnits: try rules.integerIfPresent(AnyKey("maxUnits")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.within(amountFen, 1...PricingLimits.maxAmountFen, "amountFen", "fen")
        try condition?.validate(check)
        if let maxUnits { try check.within(maxUnits, 1...PricingLimits.maxQuantity, "maxUnits") }
    }

    func unitTerms(for product: Product, inScope: Bool) -> UnitTerms? { inScope ? .amountOff(amountFen) : nil }
    var unitLimit: (quantity: Int, perCustomer: Int)? { nil }
    var unitsPerOrder: Int? { maxUnits }
}
