/// 满返: once the paid amount reaches `thresholdFen`, grant points or a coupon after payment.
public struct RebateRule: Sendable, Hashable {
    /// What the shopper receives after paying.
    public enum Reward: Sendable, Hashable {
        case points(Int)
        case coupon(templateId: String)
    }
    public var thresholdFen: Fen
    public var reward: Reward
    public init(thresholdFen: Fen, reward: Reward) {
        self.thresholdFen = thresholdFen
        self.reward = reward
    }
}

extension RebateRule: CampaignRule, ThresholdRule {
    static let kind = CampaignKind.rebate
    var wrapped: CampaignRules { .rebate(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
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
        try check.amount(thresholdFen, "thresholdFen")
        switch reward {
        case .points(let points): try check.within(points, 1...PricingLimits.maxPoints, "points")
        case .coupon(let template):
            if template.isEmpty {
                throw PricingInputError(field: check.field("couponTemplateId"), message: "must not be empty")
            }
        }
    }

    /// Measured on what is paid for the rebate's scope.
    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        guard thresholdFen > base else { return nil }
        switch reward {
        case .points(let points): return (thresholdFen, .points(points))
        case .coupon(let template): return (thresholdFen, .coupon(templateId: template))
        }
    }
}
