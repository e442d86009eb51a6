/// 还差X元 (or 还差N件): how much more the shopper would spend to reach a campaign's (next) threshold, and what it
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
        /// 任选: this many units for this price.
        case pickAny(units: Int, priceFen: Fen)
        /// 包邮: this much off the delivery fee (nil: all of it).
        case shipping(Fen?)
    }

    /// The campaign and its kind, shared with its adjustments.
    let origin: AdjustmentOrigin
    public var campaignId: String { origin.source.campaignId ?? "" }
    public var kind: String { origin.kind }
    /// Fen the campaign's scope still lacks (measured as its threshold is, after item-level promotions);
    /// 0 for a threshold in units.
    public var missingFen: Fen
    /// The threshold to reach (0 for a threshold in units).
    public var thresholdFen: Fen
    public var reward: Reward
    /// Units the scope still lacks, for a threshold in units (满N件); 0 otherwise.
    public var missingUnits: Int
    /// The unit threshold to reach (0 for a threshold in fen).
    public var thresholdUnits: Int

    public init(
        campaignId: String, kind: String, missingFen: Fen, thresholdFen: Fen, reward: Reward, missingUnits: Int = 0,
        thresholdUnits: Int = 0
    ) {
        self.init(
            origin: AdjustmentOrigin(campaignId: campaignId, kind: kind), missingFen: missingFen,
            thresholdFen: thresholdFen, reward: reward, missingUnits: missingUnits, thresholdUnits: thresholdUnits)
    }

    init(
        origin: AdjustmentOrigin, missingFen: Fen, thresholdFen: Fen, reward: Reward, missingUnits: Int = 0,
        thresholdUnits: Int = 0
    ) {
        self.origin = origin
        self.missingFen = missingFen
        self.thresholdFen = thresholdFen
        self.reward = reward
        self.missingUnits = missingUnits
        self.thresholdUnits = thresholdUnits
    }
}

extension QuoteComputation {
    /// Adds the hint for `campaign` whose scope measures `base` now: its lowest tier above `base`, if any.
    mutating func recordHint(_ campaign: Int, base: Fen, units: Int = 0) {
        if hints.capacity == 0 { hints.reserveCapacity(8) }
        let compiled = engine.campaigns[campaign]
        if let next = compiled.thresholdRule.nextThreshold(above: base) {
            hints.append(
                QualificationHint(
                    origin: engine.origins[campaign], missingFen: next.thresholdFen - base,
                    thresholdFen: next.thresholdFen, reward: next.reward))
        } else if let next = compiled.unitThresholdRule.nextThreshold(aboveUnits: units) {
            hints.append(
                QualificationHint(
                    origin: engine.origins[campaign], missingFen: 0, thresholdFen: 0,
                    reward: next.reward, missingUnits: next.thresholdUnits - units, thresholdUnits: next.thresholdUnits)
            )
        }
    }
}
