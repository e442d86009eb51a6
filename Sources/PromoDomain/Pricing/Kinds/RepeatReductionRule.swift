/// 每满减: `reductionFen` off for every full `everyFen` the scope costs, at most `maxReductionFen`.
public struct RepeatReductionRule: Sendable, Hashable {
    public var everyFen: Fen
    public var reductionFen: Fen
    /// The cap on the total reduction (nil: none beyond what the scope costs).
    public var maxReductionFen: Fen?
    public init(everyFen: Fen, reductionFen: Fen, maxReductionFen: Fen? = nil) {
        self.everyFen = everyFen
        self.reductionFen = reductionFen
        self.maxReductionFen = maxReductionFen
    }
}

extension RepeatReductionRule: CampaignRule, ThresholdRule, OrderLevelRule {
    static let kind = CampaignKind.repeatReduction
    var wrapped: CampaignRules { .repeatReduction(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["everyFen", "reductionFen", "maxReductionFen"])
        self.init(
            everyFen: try rules.integer(AnyKey("everyFen")), reductionFen: try rules.integer(AnyKey("reductionFen")),
            maxReductionFen: try rules.integerIfPresent(AnyKey("maxReductionFen")))
    }

    /// A reduction below its step (每满100减10, not 每满100减150), and a cap of at least one reduction.
    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.within(everyFen, 1...PricingLimits.maxAmountFen, "everyFen", "fen")
        try check.within(reductionFen, 1...everyFen, "reductionFen", "fen (at most everyFen)")
        if let cap = maxReductionFen {
            try check.within(cap, reductionFen...PricingLimits.maxAmountFen, "maxReductionFen", "fen")
        }
    }

    /// The next full step, while the cap leaves room for another reduction.
    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        let times = base / everyFen
        if let cap = maxReductionFen, times * reductionFen + reductionFen > cap { return nil }
        return ((times + 1) * everyFen, .reduction(reductionFen))
    }

    func evaluate(_ scope: OrderScope) -> OrderEffect {
        let times = scope.thresholdBase / everyFen
        guard times > 0 else { return .rejected(.thresholdNotMet) }
        // times ≤ 10^12 / 1 and reductionFen ≤ everyFen: the product is at most the base, no overflow.
        var amount = times * reductionFen
        if let cap = maxReductionFen { amount = min(amount, cap) }
        return .amountOff(min(amount, scope.running))
    }
}
