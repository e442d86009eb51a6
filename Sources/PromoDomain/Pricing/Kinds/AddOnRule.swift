/// 加价购: reach `thresholdFen`, one unit of `sku` in the cart costs `priceFen`.
public struct AddOnRule: Sendable, Hashable {
    public var thresholdFen: Fen
    public var sku: String
    public var priceFen: Fen
    public init(thresholdFen: Fen, sku: String, priceFen: Fen) {
        self.thresholdFen = thresholdFen
        self.sku = sku
        self.priceFen = priceFen
    }
}

extension AddOnRule: CampaignRule, ThresholdRule {
    static let kind = CampaignKind.addOn
    var wrapped: CampaignRules { .addOn(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["thresholdFen", "sku", "priceFen"])
        self.init(
            thresholdFen: try rules.integer(AnyKey("thresholdFen")),
            sku: try rules.decode(String.self, forKey: AnyKey("sku")),
            priceFen: try rules.integer(AnyKey("priceFen")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.amount(thresholdFen, "thresholdFen")
        try check.known(sku, "sku")
        try check.amount(priceFen, "priceFen")
    }

    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        thresholdFen > base ? (thresholdFen, .addOn(sku: sku, priceFen: priceFen)) : nil
    }
}

extension AddOnRule: OrderLevelRule {
    /// The threshold is measured on the other lines of the scope (the add-on's SKU is left out).
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        scope.thresholdBase >= thresholdFen ? .addOnPrice(sku: sku, priceFen: priceFen) : .rejected(.thresholdNotMet)
    }
    var addOnSKU: String? { sku }
}
