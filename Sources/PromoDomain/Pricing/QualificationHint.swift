/// 还差X元: how much more the shopper would spend to reach a campaign's (next) threshold, and what it
/// would give. Shown in the quote for order-level campaigns and rebates whose threshold is not met, and for
/// a tiered campaign whose higher tier is within reach of the cart.
public struct QualificationHint: Sendable, Hashable {
    /// What reaching the threshold gives.
    public enum Reward: Sendable, Hashable {
        /// 满减: this much off.
        case reduction(Fen)
        /// 满折: this share off (basis points).
        case percentOff(Int)
        /// 满赠: this gift.
        case gift(sku: String, quantity: Int)
        /// 加价购: one unit of `sku` for `priceFen`.
        case addOn(sku: String, priceFen: Fen)
        /// 满返: points after payment.
        case points(Int)
        /// 满返: a coupon of this template after payment.
        case coupon(templateId: String)
    }

    public var campaignId: String
    public var kind: String
    /// Fen the campaign's scope still lacks (measured as its threshold is, after item-level promotions).
    public var missingFen: Fen
    /// The threshold to reach.
    public var thresholdFen: Fen
    public var reward: Reward

    public init(campaignId: String, kind: String, missingFen: Fen, thresholdFen: Fen, reward: Reward) {
        self.campaignId = campaignId
        self.kind = kind
        self.missingFen = missingFen
        self.thresholdFen = thresholdFen
        self.reward = reward
    }
}

extension QuoteComputation {
    /// Adds the hint for `campaign` whose scope measures `base` now: its lowest tier above `base`, if any.
    mutating func recordHint(_ campaign: Int, base: Fen) {
        guard solo < 0 else { return }
        let compiled = engine.campaigns[campaign]
        guard let next = compiled.thresholdRule?.nextThreshold(above: base) else { return }
        hints.append(
            QualificationHint(
                campaignId: compiled.id, kind: compiled.kindName, missingFen: next.thresholdFen - base,
                thresholdFen: next.thresholdFen, reward: next.reward))
    }
}
