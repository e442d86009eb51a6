/// 满折: spend at least a tier's threshold on the campaign's scope, get its percentage off.
public struct SpendDiscountRule: Sendable, Hashable {
    public var tiers: [DiscountTier]
    public init(tiers: [DiscountTier]) { self.tiers = tiers }
}

/// One tier of a 满折: reach `thresholdFen`, get `percentBp` off.
public struct DiscountTier: Sendable, Hashable {
    public var thresholdFen: Fen
    public var percentBp: Int
    public init(thresholdFen: Fen, percentBp: Int) {
        self.thresholdFen = thresholdFen
        self.percentBp = percentBp
    }
}

extension SpendDiscountRule: CampaignRule, ThresholdRule {
    static let kind = CampaignKind.spendDiscount
    var wrapped: CampaignRules { .spendDiscount(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["tiers"])
        self.init(tiers: try rules.decode([DiscountTier].self, forKey: AnyKey("tiers")))
    }

    /// Tiers give more for more: thresholds and percentages both strictly increasing.
    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.tiers(tiers, threshold: \.thresholdFen, gives: \.percentBp, givesKey: "percentBp") {
            tier, name throws(PricingInputError) in
            try check.amount(tier.thresholdFen, "\(name).thresholdFen")
            try check.percent(tier.percentBp, "\(name).percentBp")
        }
    }

    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        tiers.nextTier(above: base, threshold: \.thresholdFen).map { tier in
            (tier.thresholdFen, .percentOff(tier.percentBp))
        }
    }

    /// The highest tier `base` reaches.
    func tier(reachedBy base: Fen) -> DiscountTier? {
        tiers.highestTier(reachedBy: base, threshold: \.thresholdFen)
    }
}

extension DiscountTier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["thresholdFen", "percentBp"])
        self.init(
            thresholdFen: try container.integer(AnyKey("thresholdFen")),
            percentBp: try container.integer(AnyKey("percentBp")))
    }
}

extension SpendDiscountRule: OrderLevelRule {
    /// The highest tier's percentage of what the scope still costs, rounded half-even.
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        guard let tier = tier(reachedBy: scope.thresholdBase) else { return .rejected(.thresholdNotMet) }
        return .amountOff(BasisPoints.share(of: scope.running, basisPoints: tier.percentBp))
    }
}
