/// 满返: once the paid amount reaches `thresholdFen`, grant points or a coupon after payment; with
/// `higherTiers`, the highest tier reached grants its own reward (满100返10分, 满200返30分).
public struct RebateRule: Sendable, Hashable {
    /// What the shopper receives after paying.
    public enum Reward: Sendable, Hashable {
        case points(Int)
        case coupon(templateId: String)
    }

    /// One tier: a threshold on what is paid, and its reward.
    public struct Tier: Sendable, Hashable {
        public var thresholdFen: Fen
        public var reward: Reward
        public init(thresholdFen: Fen, reward: Reward) {
            self.thresholdFen = thresholdFen
            self.reward = reward
        }
    }

    public var thresholdFen: Fen
    public var reward: Reward
    /// Tiers above the first, thresholds increasing.
    public var higherTiers: [Tier]

    public init(thresholdFen: Fen, reward: Reward, higherTiers: [Tier] = []) {
        self.thresholdFen = thresholdFen
        self.reward = reward
        self.higherTiers = higherTiers
    }

    /// Every tier, the first one included.
    public var tiers: [Tier] { [Tier(thresholdFen: thresholdFen, reward: reward)] + higherTiers }

    /// The tier `paid` reaches (nil: none).
    func tier(reachedBy paid: Fen) -> Tier? {
        if higherTiers.isEmpty { return paid >= thresholdFen ? Tier(thresholdFen: thresholdFen, reward: reward) : nil }
        return tiers.highestTier(reachedBy: paid, threshold: \.thresholdFen)
    }
}

extension RebateRule: CampaignRule, ThresholdRule {
    static let kind = CampaignKind.rebate
    var wrapped: CampaignRules { .rebate(self) }

    /// `{thresholdFen, points}` or `{thresholdFen, couponTemplateId}`, or `{tiers:[…]}` of those.
    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        if rules.contains(AnyKey("tiers")) {
            try rules.rejectUnknownKeys(["tiers"])
            var list = try rules.nestedUnkeyedContainer(forKey: AnyKey("tiers"))
            var tiers: [Tier] = []
            while !list.isAtEnd {
                let tier = try list.nestedContainer(keyedBy: AnyKey.self)
                let rule = try RebateRule(rules: tier)
                tiers.append(Tier(thresholdFen: rule.thresholdFen, reward: rule.reward))
            }
            guard let first = tiers.first else { throw rules.invalid("tiers", "must not be empty") }
            self.init(thresholdFen: first.thresholdFen, reward: first.reward, higherTiers: Array(tiers.dropFirst()))
            return
        }
        try rules.rejectUnknownKeys(["thresholdFen", "points", "couponTemplateId"])
        let threshold = try rules.integer(AnyKey("thresholdFen"))
        let points = try rules.integerIfPresent(AnyKey("points"))
        let template = try rules.decodeIfPresent(String.self, forKey: AnyKey("couponTemplateId"))
        switch (points, template) {
        case (let points?, nil):
            self.init(thresholdFen: threshold, reward: .points(points))
        case (nil, let template?):
            self.init(thresholdFen: threshold, reward: .coupon(templateId: template))
        case (_?, _?):
            throw rules.invalid("couponTemplateId", "a rebate grants points or a coupon, not both")
        case (nil, nil):
            throw DecodingError.keyNotFound(
                AnyKey("points"), .init(codingPath: rules.codingPath, debugDescription: "points or couponTemplateId"))
        }
    }

    /// A coupon's template is checked with the engine's templates (`validate(couponRebatesOf:templates:)`).
    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.count(tiers.count, 1...PricingLimits.maxTiers, "tiers", "tiers")
        var previous = Int.min
        for (index, tier) in tiers.enumerated() {
            let prefix = higherTiers.isEmpty ? "" : "tiers[\(index)]."
            try check.amount(tier.thresholdFen, "\(prefix)thresholdFen")
            if index > 0 {
                try PricingEngine.increasing(
                    tier.thresholdFen, after: previous, check.field("tiers[\(index)]"), "thresholdFen")
            }
            previous = tier.thresholdFen
            switch tier.reward {
            case .points(let points): try check.within(points, 1...PricingLimits.maxPoints, "\(prefix)points")
            case .coupon(let template):
                if template.isEmpty {
                    throw PricingInputError(
                        field: check.field("\(prefix)couponTemplateId"), message: "must not be empty")
                }
            }
        }
    }

    /// Measured on what is paid for the rebate's scope.
    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        let next =
            higherTiers.isEmpty
            ? (thresholdFen > base ? Tier(thresholdFen: thresholdFen, reward: reward) : nil)
            : tiers.nextTier(above: base, threshold: \.thresholdFen)
        guard let tier = next else { return nil }
        switch tier.reward {
        case .points(let points): return (tier.thresholdFen, .points(points))
        case .coupon(let template): return (tier.thresholdFen, .coupon(templateId: template))
        }
    }
}
