/// 满赠: reach `thresholdFen`, receive `giftQuantity` × `giftSku` free; with `higherTiers`, the highest tier
/// reached gives its own gift (满200赠A, 满400赠B).
public struct GiftRule: Sendable, Hashable {
    /// One tier: a threshold and its gift.
    public struct Tier: Sendable, Hashable {
        public var thresholdFen: Fen
        public var giftSku: String
        public var giftQuantity: Int
        public init(thresholdFen: Fen, giftSku: String, giftQuantity: Int) {
            self.thresholdFen = thresholdFen
            self.giftSku = giftSku
            self.giftQuantity = giftQuantity
        }
    }

    public var thresholdFen: Fen
    public var giftSku: String
    public var giftQuantity: Int
    /// Tiers above the first, thresholds increasing.
    public var higherTiers: [Tier]

    public init(thresholdFen: Fen, giftSku: String, giftQuantity: Int, higherTiers: [Tier] = []) {
        self.thresholdFen = thresholdFen
        self.giftSku = giftSku
        self.giftQuantity = giftQuantity
        self.higherTiers = higherTiers
    }

    /// Every tier, the first one included.
    public var tiers: [Tier] {
        [Tier(thresholdFen: thresholdFen, giftSku: giftSku, giftQuantity: giftQuantity)] + higherTiers
    }
}

extension GiftRule: CampaignRule, ThresholdRule {
    static let kind = CampaignKind.gift
    var wrapped: CampaignRules { .gift(self) }

    /// API.md's `{thresholdFen, giftSku, giftQuantity}`, or `{tiers:[{thresholdFen, giftSku, giftQuantity}]}`.
    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        if rules.contains(AnyKey("tiers")) {
            try rules.rejectUnknownKeys(["tiers"])
            let tiers = try rules.decode([Tier].self, forKey: AnyKey("tiers"))
            guard let first = tiers.first else { throw rules.invalid("tiers", "must not be empty") }
            self.init(
                thresholdFen: first.thresholdFen, giftSku: first.giftSku, giftQuantity: first.giftQuantity,
                higherTiers: Array(tiers.dropFirst()))
            return
        }
        try rules.rejectUnknownKeys(["thresholdFen", "giftSku", "giftQuantity"])
        self.init(
            thresholdFen: try rules.integer(AnyKey("thresholdFen")),
            giftSku: try rules.decode(String.self, forKey: AnyKey("giftSku")),
            giftQuantity: try rules.integerIfPresent(AnyKey("giftQuantity")) ?? 1)
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        let prefix = higherTiers.isEmpty ? "" : "tiers[0]."
        try check.amount(thresholdFen, "\(prefix)thresholdFen")
        try check.known(giftSku, "\(prefix)giftSku")
        try check.within(giftQuantity, 1...PricingLimits.maxGiftQuantity, "\(prefix)giftQuantity")
        try check.count(tiers.count, 1...PricingLimits.maxTiers, "tiers", "tiers")
        var previous = thresholdFen
        for (index, tier) in higherTiers.enumerated() {
            let name = "tiers[\(index + 1)]"
            try check.amount(tier.thresholdFen, "\(name).thresholdFen")
            try PricingEngine.increasing(tier.thresholdFen, after: previous, check.field(name), "thresholdFen")
            try check.known(tier.giftSku, "\(name).giftSku")
            try check.within(tier.giftQuantity, 1...PricingLimits.maxGiftQuantity, "\(name).giftQuantity")
            previous = tier.thresholdFen
        }
    }

    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        if higherTiers.isEmpty {
            return thresholdFen > base ? (thresholdFen, .gift(sku: giftSku, quantity: giftQuantity)) : nil
        }
        return tiers.nextTier(above: base, threshold: \.thresholdFen).map { tier in
            (tier.thresholdFen, .gift(sku: tier.giftSku, quantity: tier.giftQuantity))
        }
    }
}

extension GiftRule: OrderLevelRule {
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        if higherTiers.isEmpty {
            return scope.thresholdBase >= thresholdFen
                ? .gift(sku: giftSku, quantity: giftQuantity) : .rejected(.thresholdNotMet)
        }
        guard let tier = tiers.highestTier(reachedBy: scope.thresholdBase, threshold: \.thresholdFen) else {
            return .rejected(.thresholdNotMet)
        }
        return .gift(sku: tier.giftSku, quantity: tier.giftQuantity)
    }
}

extension GiftRule.Tier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["thresholdFen", "giftSku", "giftQuantity"])
        self.init(
            thresholdFen: try container.integer(AnyKey("thresholdFen")),
            giftSku: try container.decode(String.self, forKey: AnyKey("giftSku")),
            giftQuantity: try container.integerIfPresent(AnyKey("giftQuantity")) ?? 1)
    }
}
