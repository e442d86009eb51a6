/// 单品立减: `amountFen` off every unit in the campaign's scope (never below 0).
public struct UnitAmountOffRule: Sendable, Hashable {
    public var amountFen: Fen
    public init(amountFen: Fen) { self.amountFen = amountFen }
}

extension UnitAmountOffRule: CampaignRule, UnitOfferRule {
    static let kind = CampaignKind.unitAmountOff
    var wrapped: CampaignRules { .unitAmountOff(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["amountFen"])
        self.init(amountFen: try rules.integer(AnyKey("amountFen")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.within(amountFen, 1...PricingLimits.maxAmountFen, "amountFen", "fen")
    }

    func unitTerms(for product: Product, inScope: Bool) -> UnitTerms? { inScope ? .amountOff(amountFen) : nil }
    var unitLimit: (quantity: Int, perCustomer: Int)? { nil }
}
