/// 满X包邮: once the scope reaches `thresholdFen` (or `thresholdUnits`), the delivery fee is waived, or
/// reduced by `reductionFen`.
///
/// Shipping is its own dimension: a waiver neither counts as nor is blocked by a non-stackable order-level
/// campaign, and it touches no line's price.
public struct FreeShippingRule: Sendable, Hashable {
    public var thresholdFen: Fen
    /// A unit threshold instead of (or besides) the amount; 0: none.
    public var thresholdUnits: Int
    /// At most this much off the fee; nil waives it all.
    public var reductionFen: Fen?
    public init(thresholdFen: Fen = 0, thresholdUnits: Int = 0, reductionFen: Fen? = nil) {
        self.thresholdFen = thresholdFen
        self.thresholdUnits = thresholdUnits
        self.reductionFen = reductionFen
    }
}

extension FreeShippingRule: CampaignRule, ThresholdRule, OrderLevelRule {
    static let kind = CampaignKind.freeShipping
    var wrapped: CampaignRules { .freeShipping(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["thresholdFen", "thresholdUnits", "reductionFen"])
        self.init(
            thresholdFen: try rules.integerIfPresent(AnyKey("thresholdFen")) ?? 0,
            thresholdUnits: try rules.integerIfPresent(AnyKey("thresholdUnits")) ?? 0,
            reductionFen: try rules.integerIfPresent(AnyKey("reductionFen")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.amount(thresholdFen, "thresholdFen")
        try check.within(thresholdUnits, 0...PricingLimits.maxQuantity, "thresholdUnits")
        if let reductionFen { try check.within(reductionFen, 1...PricingLimits.maxAmountFen, "reductionFen", "fen") }
    }

    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        thresholdFen > base ? (thresholdFen, .shipping(reductionFen)) : nil
    }

    func evaluate(_ scope: OrderScope) -> OrderEffect {
        guard scope.thresholdBase >= thresholdFen, scope.units >= thresholdUnits else {
            return .rejected(.thresholdNotMet)
        }
        return .shippingOff(reductionFen)
    }

    var isShipping: Bool { true }
}
