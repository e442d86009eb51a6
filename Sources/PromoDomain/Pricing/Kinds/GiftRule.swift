/// 满赠: reach `thresholdFen` (or, 满N件赠, `thresholdUnits` units of the scope), receive `giftQuantity` ×
/// `giftSku` free; with `higherTiers`, the highest tier reached gives its own gift (满200赠A, 满400赠B). A rule
/// measures in fen or in units, never both.
public struct GiftRule: Sendable, Hashable {
    /// One tier: a threshold and its gift.
    public struct Tier: Sendable, Hashable {
        public var thresholdFen: Fen
        public var thresholdUnits: Int
        public var giftSku: String
        public var giftQuantity: Int
        public init(thresholdFen: Fen = 0, thresholdUnits: Int = 0, giftSku: String, giftQuantity: Int) {
            self.thresholdFen = thresholdFen
            self.thresholdUnits = thresholdUnits
            self.giftSku = giftSku
            self.giftQuantity = giftQuantity
        }
    }

    public var thresholdFen: Fen
    /// 满N件赠: units of the scope to reach instead of an amount (0: the rule measures in fen).
    public var thresholdUnits: Int
    public var giftSku: String
    public var giftQuantity: Int
    /// Tiers above the first, thresholds increasing.
    public var higherTiers: [Tier]

    public init(
        thresholdFen: Fen = 0, thresholdUnits: Int = 0, giftSku: String, giftQuantity: Int, higherTiers: [Tier] = []
    ) {
        self.thresholdFen = thresholdFen
        self.thresholdUnits = thresholdUnits
        self.giftSku = giftSku
        self.giftQuantity = giftQuantity
        self.higherTiers = higherTiers
    }

    /// Every tier, the first one included.
    public var tiers: [Tier] {
        [
            Tier(
                thresholdFen: thresholdFen, thresholdUnits: thresholdUnits, giftSku: giftSku,
                giftQuantity: giftQuantity)
        ] + higherTiers
    }

    /// Whether the thresholds count units (满N件赠) rather than fen.
    var measuresUnits: Bool { thresholdUnits > 0 }

    /// A tier's threshold in the rule's measure.
    func threshold(_ tier: Tier) -> Int { measuresUnits ? tier.thresholdUnits : tier.thresholdFen }
}

extension GiftRule: CampaignRule, ThresholdRule, UnitThresholdRule {
    static let kind = CampaignKind.gift
    var wrapped: CampaignRules { .gift(self) }

    /// API.md's `{thresholdFen | thresholdUnits, giftSku, giftQuantity}`, or
    /// `{tiers:[{thresholdFen | thresholdUnits, giftSku, giftQuantity}]}`.
    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        if rules.contains(AnyKey("tiers")) {
            try rules.rejectUnknownKeys(["tiers"])
            let tiers = try rules.decode([Tier].self, forKey: AnyKey("tiers"))
            guard let first = tiers.first else { throw rules.invalid("tiers", "must not be empty") }
            self.init(
                thresholdFen: first.thresholdFen, thresholdUnits: first.thresholdUnits, giftSku: first.giftSku,
                giftQuantity: first.giftQuantity, higherTiers: Array(tiers.dropFirst()))
            return
        }
        try rules.rejectUnknownKeys(["thresholdFen", "thresholdUnits", "giftSku", "giftQuantity"])
        let (fen, units) = try Tier.thresholds(rules)
        self.init(
            thresholdFen: fen, thresholdUnits: units,
            giftSku: try rules.decode(String.self, forKey: AnyKey("giftSku")),
            giftQuantity: try rules.integerIfPresent(AnyKey("giftQuantity")) ?? 1)
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        let prefix = higherTiers.isEmpty ? "" : "tiers[0]."
        try check.amount(thresholdFen, "\(prefix)thresholdFen")
        try check.within(thresholdUnits, 0...PricingLimits.maxQuantity, "\(prefix)thresholdUnits", "units")
        try check.known(giftSku, "\(prefix)giftSku")
        try check.within(giftQuantity, 1...PricingLimits.maxGiftQuantity, "\(prefix)giftQuantity")
        try check.count(tiers.count, 1...PricingLimits.maxTiers, "tiers", "tiers")
        let key = measuresUnits ? "thresholdUnits" : "thresholdFen"
        if measuresUnits, let index = tiers.firstIndex(where: { $0.thresholdFen != 0 }) {
            throw PricingInputError(
                field: check.field(higherTiers.isEmpty ? "thresholdFen" : "tiers[\(index)].thresholdFen"),
                message: "give thresholdFen or thresholdUnits, not both")
        }
        var previous = threshold(tiers[0])
        for (index, tier) in higherTiers.enumerated() {
            let name = "tiers[\(index + 1)]"
            try check.amount(tier.thresholdFen, "\(name).thresholdFen")
            try check.within(tier.thresholdUnits, 0...PricingLimits.maxQuantity, "\(name).thresholdUnits", "units")
            if (tier.thresholdUnits > 0) != measuresUnits {
                throw PricingInputError(
                    field: check.field("\(name).thresholdUnits"),
                    message: "every tier measures as the first does (\(key))")
            }
            try PricingEngine.increasing(threshold(tier), after: previous, check.field(name), key)
            try check.known(tier.giftSku, "\(name).giftSku")
            try check.within(tier.giftQuantity, 1...PricingLimits.maxGiftQuantity, "\(name).giftQuantity")
            previous = threshold(tier)
        }
    }

    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        if measuresUnits { return nil }
        if higherTiers.isEmpty {
            return thresholdFen > base ? (thresholdFen, .gift(sku: giftSku, quantity: giftQuantity)) : nil
        }
        return tiers.nextTier(above: base, threshold: \.thresholdFen).map { tier in
            (tier.thresholdFen, .gift(sku: tier.giftSku, quantity: tier.giftQuantity))
        }
    }

    func nextThreshold(aboveUnits units: Int) -> (thresholdUnits: Int, reward: QualificationHint.Reward)? {
        guard measuresUnits else { return nil }
        return tiers.nextTier(above: units, threshold: \.thresholdUnits).map { tier in
            (tier.thresholdUnits, .gift(sku: tier.giftSku, quantity: tier.giftQuantity))
        }
    }
}

extension GiftRule: OrderLevelRule {
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        let reached = measuresUnits ? scope.units : scope.thresholdBase
        if higherTiers.isEmpty {
            return reached >= (measuresUnits ? thresholdUnits : thresholdFen)
                ? .gift(sku: giftSku, quantity: giftQuantity) : .rejected(.thresholdNotMet)
        }
        guard let tier = tiers.highestTier(reachedBy: reached, threshold: threshold) else {
            return .rejected(.thresholdNotMet)
        }
        return .gift(sku: tier.giftSku, quantity: tier.giftQuantity)
    }
}

extension GiftRule.Tier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["thresholdFen", "thresholdUnits", "giftSku", "giftQuantity"])
        let (fen, units) = try Self.thresholds(container)
        self.init(
            thresholdFen: fen, thresholdUnits: units,
            giftSku: try container.decode(String.self, forKey: AnyKey("giftSku")),
            giftQuantity: try container.integerIfPresent(AnyKey("giftQuantity")) ?? 1)
    }

    /// Exactly one of `thresholdFen` and `thresholdUnits`.
    static func thresholds(_ container: KeyedDecodingContainer<AnyKey>) throws -> (fen: Fen, units: Int) {
        let fen = try container.integerIfPresent(AnyKey("thresholdFen"))
        let units = try container.integerIfPresent(AnyKey("thresholdUnits"))
        switch (fen, units) {
        case (let fen?, nil): return (fen, 0)
        case (nil, let units?):
            guard units > 0 else { throw container.invalid("thresholdUnits", "must be at least 1 (got \(units))") }
            return (0, units)
        case (_?, _?): throw container.invalid("thresholdUnits", "give thresholdFen or thresholdUnits, not both")
        case (nil, nil): throw container.invalid("thresholdFen", "needs thresholdFen (满X元赠) or thresholdUnits (满N件赠)")
        }
    }
}
