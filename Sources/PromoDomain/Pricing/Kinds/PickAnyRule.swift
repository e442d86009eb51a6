/// 任选: any `units` units of the scope together for `priceFen`, as many groups as the cart holds.
public struct PickAnyRule: Sendable, Hashable {
    public var units: Int
    public var priceFen: Fen
    public init(units: Int, priceFen: Fen) {
        self.units = units
        self.priceFen = priceFen
    }
}

extension PickAnyRule: CampaignRule, UnitThresholdRule, OrderLevelRule {
    static let kind = CampaignKind.pickAny
    var wrapped: CampaignRules { .pickAny(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["units", "priceFen"])
        self.init(units: try rules.integer(AnyKey("units")), priceFen: try rules.integer(AnyKey("priceFen")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.within(units, 2...PricingLimits.maxGroupUnits, "units")
        try check.amount(priceFen, "priceFen")
    }

    var needsUnitNets: Bool { true }

    func nextThreshold(aboveUnits count: Int) -> (thresholdUnits: Int, reward: QualificationHint.Reward)? {
        count < units ? (units, .pickAny(units: units, priceFen: priceFen)) : nil
    }

    /// The most expensive units grouped first (the best for the shopper): each group saves what its units
    /// cost beyond `priceFen`; groups stop when one would not save anything.
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        guard scope.units >= units else { return .rejected(.thresholdNotMet) }
        var amount = 0
        scope.unitNets.forEachGroup(of: units) { sum, _, times in
            guard sum > priceFen else { return false }
            amount += times * (sum - priceFen)
            return true
        }
        return amount > 0 ? .amountOff(amount) : .rejected(.noBenefit)
    }
}
