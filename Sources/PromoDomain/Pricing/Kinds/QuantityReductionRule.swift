/// 满N件减: buy at least a tier's number of units in the campaign's scope, get its reduction off.
public struct QuantityReductionRule: Sendable, Hashable {
    public struct Tier: Sendable, Hashable {
        public var thresholdUnits: Int
        public var reductionFen: Fen
        public init(thresholdUnits: Int, reductionFen: Fen) {
            self.thresholdUnits = thresholdUnits
            self.reductionFen = reductionFen
        }
    }
    public var tiers: [Tier]
    public init(tiers: [Tier]) { self.tiers = tiers }
}

extension QuantityReductionRule: CampaignRule, UnitThresholdRule, OrderLevelRule {
    static let kind = CampaignKind.quantityReduction
    var wrapped: CampaignRules { .quantityReduction(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["tiers"])
        self.init(tiers: try rules.decode([Tier].self, forKey: AnyKey("tiers")))
    }

    /// Tiers give more for more: unit thresholds and reductions both strictly increasing.
    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.tiers(
            tiers, threshold: \.thresholdUnits, thresholdKey: "thresholdUnits", gives: \.reductionFen,
            givesKey: "reductionFen"
        ) { tier, name throws(PricingInputError) in
            try check.within(tier.thresholdUnits, 1...PricingLimits.maxQuantity, "\(name).thresholdUnits")
            try check.within(tier.reductionFen, 1...PricingLimits.maxAmountFen, "\(name).reductionFen", "fen")
        }
    }

    func nextThreshold(aboveUnits units: Int) -> (thresholdUnits: Int, reward: QualificationHint.Reward)? {
        tiers.nextTier(above: units, threshold: \.thresholdUnits).map { tier in
            (tier.thresholdUnits, .reduction(tier.reductionFen))
        }
    }

    /// The highest tier the scope's free units reach, at most what they still cost.
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        guard let tier = tiers.highestTier(reachedBy: scope.units, threshold: \.thresholdUnits) else {
            return .rejected(.thresholdNotMet)
        }
        return .amountOff(min(tier.reductionFen, scope.running))
    }
}

extension QuantityReductionRule.Tier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["thresholdUnits", "reductionFen"])
        self.init(
            thresholdUnits: try container.integer(AnyKey("thresholdUnits")),
            reductionFen: try container.integer(AnyKey("reductionFen")))
    }
}
