/// 单品折扣: every unit in the campaign's scope at `percentBp` off its list price.
public struct ItemDiscountRule: Sendable, Hashable {
    public var percentBp: Int
    public init(percentBp: Int) { self.percentBp = percentBp }
}

extension ItemDiscountRule: CampaignRule {
    static let kind = CampaignKind.itemDiscount
    var wrapped: CampaignRules { .itemDiscount(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["percentBp"])
        self.init(percentBp: try rules.integer(AnyKey("percentBp")))
    }

    /// 1…10 000 basis points: 100 % makes the item free, as a special price of 0 may.
    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.percent(percentBp, "percentBp")
    }
}

extension ItemDiscountRule: UnitOfferRule {
    func unitTerms(for product: Product, inScope: Bool) -> UnitTerms? { inScope ? .percentOff(percentBp) : nil }
    var unitLimit: (quantity: Int, perCustomer: Int)? { nil }
}
