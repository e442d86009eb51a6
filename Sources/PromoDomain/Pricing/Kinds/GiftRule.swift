/// 满赠: reach `thresholdFen`, receive `giftQuantity` × `giftSku` free.
public struct GiftRule: Sendable, Hashable {
    public var thresholdFen: Fen
    public var giftSku: String
    public var giftQuantity: Int
    public init(thresholdFen: Fen, giftSku: String, giftQuantity: Int) {
        self.thresholdFen = thresholdFen
        self.giftSku = giftSku
        self.giftQuantity = giftQuantity
    }
}

extension GiftRule: CampaignRule, ThresholdRule {
    static let kind = CampaignKind.gift
    var wrapped: CampaignRules { .gift(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["thresholdFen", "giftSku", "giftQuantity"])
        self.init(
            thresholdFen: try rules.integer(AnyKey("thresholdFen")),
            giftSku: try rules.decode(String.self, forKey: AnyKey("giftSku")),
            giftQuantity: try rules.integerIfPresent(AnyKey("giftQuantity")) ?? 1)
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.amount(thresholdFen, "thresholdFen")
        try check.known(giftSku, "giftSku")
        try check.within(giftQuantity, 1...PricingLimits.maxGiftQuantity, "giftQuantity")
    }

    func nextThreshold(above base: Fen) -> (thresholdFen: Fen, reward: QualificationHint.Reward)? {
        thresholdFen > base ? (thresholdFen, .gift(sku: giftSku, quantity: giftQuantity)) : nil
    }
}

extension GiftRule: OrderLevelRule {
    func evaluate(_ scope: OrderScope) -> OrderEffect {
        scope.thresholdBase >= thresholdFen ? .gift(sku: giftSku, quantity: giftQuantity) : .rejected(.thresholdNotMet)
    }
}
