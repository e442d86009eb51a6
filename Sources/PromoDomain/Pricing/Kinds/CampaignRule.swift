/// What every campaign kind provides, each in a file of its own under `Kinds/`: its rule fields, how the
/// `rules` object of API.md's campaign body decodes into them, how they are validated, and how the kind
/// prices at its level (``UnitOfferRule``, ``OrderLevelRule``, ``RebateLevelRule``; bundles and lotteries
/// have their own paths).
///
/// Adding a kind: a case in ``CampaignKind`` and ``CampaignRules`` (the compiler then points at the two
/// exhaustive switches that map them to the rule type), and one file here conforming to this protocol and to
/// its level's protocol. The engine indexes campaigns by the level protocol their rule conforms to.
protocol CampaignRule: Sendable, Hashable {
    /// The kind whose `rules` object this is.
    static var kind: CampaignKind { get }
    /// This rule as the ``CampaignRules`` case of its kind.
    var wrapped: CampaignRules { get }
    /// Decodes the `rules` object; an unknown key is an error naming it.
    init(rules: KeyedDecodingContainer<AnyKey>) throws
    /// Checks every field against `PricingLimits` and the catalog, naming the field on failure.
    func validate(_ check: RuleCheck) throws(PricingInputError)
    /// A purchase the campaign requires besides its own scope (nil: none).
    var condition: PurchaseCondition? { get }
}

extension CampaignRule {
    /// Most kinds require nothing besides their scope; those that support a condition store it.
    var condition: PurchaseCondition? { nil }
}

/// A kind with thresholds the shopper can be told about (还差X元).
///
/// The hint protocols and `OrderLevelRule` do not refine `CampaignRule`, so that a compiled campaign can hold
/// them as plain (non-optional) existentials with a stand-in for kinds that have none: a method called on such
/// a stored property reads it in place, where an optional one is copied first, on every quote.
protocol ThresholdRule: Sendable {
    /// The lowest threshold above `base` (measured as the kind measures it) and what reaching it gives.
    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)?
}

extension Array {
    /// The tier with the highest threshold `value` reaches (nil: none reached). A loop, no allocation: it
    /// runs for every tiered campaign of every quote.
    func highestTier(reachedBy value: Int, threshold: (Element) -> Int) -> Element? {
        var reached: Element?
        var best = Int.min
        for tier in self where threshold(tier) <= value && threshold(tier) > best {
            reached = tier
            best = threshold(tier)
        }
        return reached
    }

    /// The tier with the lowest threshold above `value` (nil: every tier reached).
    func nextTier(above value: Int, threshold: (Element) -> Int) -> Element? {
        var next: Element?
        var best = Int.max
        for tier in self where threshold(tier) > value && threshold(tier) < best {
            next = tier
            best = threshold(tier)
        }
        return next
    }
}

/// A kind whose thresholds count units (满N件).
protocol UnitThresholdRule: Sendable {
    /// The lowest unit threshold above `units` and what reaching it gives.
    func nextThreshold(aboveUnits units: Int) -> (thresholdUnits: Int, reward: QualificationHint.Reward)?
}

/// The stand-in a compiled campaign holds for the level protocols its kind does not conform to: no threshold
/// to hint at, no order-level effect.
struct NoRule: ThresholdRule, UnitThresholdRule, OrderLevelRule {
    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? { nil }
    func nextThreshold(aboveUnits units: Int) -> (thresholdUnits: Int, reward: QualificationHint.Reward)? { nil }
    func evaluate(_ scope: OrderScope) -> OrderEffect { .rejected(.noEligibleItems) }
}

/// Validation helpers for one campaign's `rules`: field paths relative to it, bounds, the catalog.
struct RuleCheck: Sendable {
    /// `campaigns[i].rules`.
    let path: String
    let productIndex: [String: Int]

    func field(_ name: String) -> String { "\(path).\(name)" }

    func known(_ sku: String, _ name: String) throws(PricingInputError) {
        if productIndex[sku] == nil {
            throw PricingInputError(field: field(name), message: "unknown SKU \(sku)", unknownSKU: sku)
        }
    }

    func amount(_ value: Int, _ name: String) throws(PricingInputError) {
        try PricingEngine.amount(value, field(name))
    }

    func percent(_ value: Int, _ name: String) throws(PricingInputError) {
        try PricingEngine.percent(value, field(name))
    }

    func within(_ value: Int, _ bounds: ClosedRange<Int>, _ name: String, _ unit: String = "")
        throws(PricingInputError)
    {
        try PricingEngine.within(value, bounds, field(name), unit)
    }

    func count(_ value: Int, _ bounds: ClosedRange<Int>, _ name: String, _ noun: String) throws(PricingInputError) {
        try PricingEngine.count(value, bounds, field(name), noun)
    }

    /// Tiers: thresholds strictly increasing, and what each gives strictly increasing with them.
    func tiers<Tier>(
        _ tiers: [Tier], threshold: (Tier) -> Int, thresholdKey: String = "thresholdFen", gives: (Tier) -> Int,
        givesKey: String, each: (Tier, String) throws(PricingInputError) -> Void
    ) throws(PricingInputError) {
        try count(tiers.count, 1...PricingLimits.maxTiers, "tiers", "tiers")
        for (index, tier) in tiers.enumerated() {
            let name = "tiers[\(index)]"
            try each(tier, name)
            if index > 0 {
                try PricingEngine.increasing(
                    threshold(tier), after: threshold(tiers[index - 1]), field(name), thresholdKey)
                try PricingEngine.increasing(gives(tier), after: gives(tiers[index - 1]), field(name), givesKey)
            }
        }
    }
}
