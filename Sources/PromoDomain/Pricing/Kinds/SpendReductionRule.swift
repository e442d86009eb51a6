/// 满减: spend at least a tier's threshold on the campaign's scope, get its reduction off.
public struct SpendReductionRule: Sendable, Hashable {
    public var tiers: [ReductionTier]
    public init(tiers: [ReductionTier]) { self.tiers = tiers }
}

/// One tier of a 满减: reach `thresholdFen`, get `reductionFen` off.
public struct ReductionTier: Sendable, Hashable {
    public var thresholdFen: Fen
    public var reductionFen: Fen
    public init(thresholdFen: Fen, reductionFen: Fen) {
        self.thresholdFen = thresholdFen
        self.reductionFen = reductionFen
    }
}

extension SpendReductionRule: CampaignRule, ThresholdRule {
    static let kind = CampaignKind.spendReduction
    var wrapped: CampaignRules { .spendReduction(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["tiers"])
        self.init(tiers: try rules.decode([ReductionTier].self, forKey: AnyKey("tiers")))
    }

    /// Tiers give more for more: thresholds and reductions both strictly increasing. A tier with a threshold takes
    /// off at most its threshold (满100减20; "满10减20" is two fields swapped); one without (0: 无门槛立减) any amount.
    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.tiers(tiers, threshold: \.thresholdFen, gives: \.reductionFen, givesKey: "reductionFen") {
            tier, name throws(PricingInputError) in
            try check.amount(tier.thresholdFen, "\(name).thresholdFen")
            if tier.thresholdFen > 0 {
                try check.within(
                    tier.reductionFen, 1...tier.thresholdFen, "\(name).reductionFen", "fen (at most its thresholdFen)")
            } else {
                try check.within(tier.reductionFen, 1...PricingLimits.maxAmountFen, "\(name).reductionFen", "fen")
            }
        }
    }

    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        tiers.nextTier(above: base, threshold: \.thresholdFen).map { tier in
            (tier.thresholdFen, .reduction(tier.reductionFen))
        }
    }

    /// The highest tier `base` reaches.
    func tier(reachedBy base: Fen) -> ReductionTier? {
        tiers.highestTier(reachedBy: base, threshold: \.thresholdFen)
    }
}

extension ReductionTier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["thresholdFen", "reductionFen"])
        self.init(
            thresholdFen: try container.integer(AnyKey("thresholdFen")),
            reductionFen: try container.integer(AnyKey("reductionFen")))
    }
}

extension SpendReductionRule: OrderLevelRule {
    /// The highest tier reached, at most what the scope still costs.
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        guard let tier = tier(reachedBy: scope.thresholdBase) else { return .rejected(.thresholdNotMet) }
        return .amountOff(min(tier.reductionFen, scope.running))
    }
}
