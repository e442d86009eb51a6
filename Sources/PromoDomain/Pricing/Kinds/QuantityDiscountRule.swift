/// 满N件折 (N件N折 on every unit): buy at least a tier's number of units in the scope, get its percentage off
/// all of them.
public struct QuantityDiscountRule: Sendable, Hashable {
    public struct Tier: Sendable, Hashable {
        public var thresholdUnits: Int
        public var percentBp: Int
        public init(thresholdUnits: Int, percentBp: Int) {
            self.thresholdUnits = thresholdUnits
            self.percentBp = percentBp
        }
    }
    public var tiers: [Tier]
    public init(tiers: [Tier]) { self.tiers = tiers }
}

extension QuantityDiscountRule: CampaignRule, UnitThresholdRule, OrderLevelRule {
    static let kind = CampaignKind.quantityDiscount
    var wrapped: CampaignRules { .quantityDiscount(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["tiers"])
        self.init(tiers: try rules.decode([Tier].self, forKey: AnyKey("tiers")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.tiers(
            tiers, threshold: \.thresholdUnits, thresholdKey: "thresholdUnits", gives: \.percentBp,
            givesKey: "percentBp"
        ) { tier, name throws(PricingInputError) in
            try check.within(tier.thresholdUnits, 1...PricingLimits.maxQuantity, "\(name).thresholdUnits")
            try check.percent(tier.percentBp, "\(name).percentBp")
        }
    }

    func nextThreshold(aboveUnits units: Int) -> (thresholdUnits: Int, reward: QualificationHint.Reward)? {
        tiers.nextTier(above: units, threshold: \.thresholdUnits).map { tier in
            (tier.thresholdUnits, .percentOff(tier.percentBp))
        }
    }

    /// The highest tier's percentage of what the scope's free units still cost, rounded half-even.
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        guard let tier = tiers.highestTier(reachedBy: scope.units, threshold: \.thresholdUnits) else {
            return .rejected(.thresholdNotMet)
        }
        return .amountOff(BasisPoints.share(of: scope.running, basisPoints: tier.percentBp))
    }
}

extension QuantityDiscountRule.Tier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["thresholdUnits", "percentBp"])
        self.init(
            thresholdUnits: try container.integer(AnyKey("thresholdUnits")),
            percentBp: try container.integer(AnyKey("percentBp")))
    }
}
