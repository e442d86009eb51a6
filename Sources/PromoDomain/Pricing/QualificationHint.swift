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
        let next: (threshold: Fen, reward: QualificationHint.Reward)?
        switch compiled.campaign.rules {
        case .spendReduction(let tiers):
            next = tiers.filter { $0.thresholdFen > base }.min { $0.thresholdFen < $1.thresholdFen }
                .map { ($0.thresholdFen, .reduction($0.reductionFen)) }
        case .spendDiscount(let tiers):
            next = tiers.filter { $0.thresholdFen > base }.min { $0.thresholdFen < $1.thresholdFen }
                .map { ($0.thresholdFen, .percentOff($0.percentBp)) }
        case .gift(let rule) where rule.thresholdFen > base:
            next = (rule.thresholdFen, .gift(sku: rule.giftSku, quantity: rule.giftQuantity))
        case .addOn(let rule) where rule.thresholdFen > base:
            next = (rule.thresholdFen, .addOn(sku: rule.sku, priceFen: rule.priceFen))
        case .rebate(let rule) where rule.thresholdFen > base:
            switch rule.reward {
            case .points(let points): next = (rule.thresholdFen, .points(points))
            case .coupon(let template): next = (rule.thresholdFen, .coupon(templateId: template))
            }
        default:
            next = nil
        }
        guard let next else { return }
        hints.append(
            QualificationHint(
                campaignId: compiled.id, kind: compiled.kind.rawValue, missingFen: next.threshold - base,
                thresholdFen: next.threshold, reward: next.reward))
    }

    /// The threshold base of an order-level campaign or rebate: the free units of its scope after item level
    /// (an add-on's own SKU left out), and their current net.
    func orderBase(_ compiled: CompiledCampaign) -> (lines: Int, thresholdBase: Fen, running: Fen) {
        var inScope = 0
        var thresholdBase = 0
        var running = 0
        let excluded = compiled.kind == .addOn ? compiled.ruleProduct : -1
        compiled.scopeMask.withUnsafeBufferPointer { mask in
            lines.withUnsafeBufferPointer { lines in
                for line in lines where mask[line.product] && line.product != excluded && line.freeUnits > 0 {
                    inScope += 1
                    thresholdBase += line.freeItemNetFen
                    running += line.freeNetFen
                }
            }
        }
        return (inScope, thresholdBase, running)
    }
}
