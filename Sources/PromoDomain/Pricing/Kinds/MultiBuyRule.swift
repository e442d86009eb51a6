/// 第二件半价, 买三免一: in every group of `units` units of the scope (most expensive first), the cheapest
/// unit gets `percentBp` off.
public struct MultiBuyRule: Sendable, Hashable {
    public var units: Int
    public var percentBp: Int
    public init(units: Int, percentBp: Int) {
        self.units = units
        self.percentBp = percentBp
    }
}

extension MultiBuyRule: CampaignRule, UnitThresholdRule, OrderLevelRule {
    static let kind = CampaignKind.multiBuy
    var wrapped: CampaignRules { .multiBuy(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["units", "percentBp"])
        self.init(units: try rules.integer(AnyKey("units")), percentBp: try rules.integer(AnyKey("percentBp")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.within(units, 2...PricingLimits.maxGroupUnits, "units")
        try check.percent(percentBp, "percentBp")
    }

    var needsUnitNets: Bool { true }

    /// The next full group.
    func nextThreshold(aboveUnits count: Int) -> (thresholdUnits: Int, reward: QualificationHint.Reward)? {
        ((count / units + 1) * units, .percentOff(percentBp))
    }

    /// Units sorted from the most expensive: each full group's last unit is its cheapest. The amount is
    /// computed on those units and, like every order-level amount, spread over the scope's free units.
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        guard scope.units >= units else { return .rejected(.thresholdNotMet) }
        var amount = 0
        scope.unitNets.forEachGroup(of: units) { _, cheapest, times in
            amount += times * BasisPoints.share(of: cheapest, basisPoints: percentBp)
            return true
        }
        return .amountOff(amount)
    }
}
