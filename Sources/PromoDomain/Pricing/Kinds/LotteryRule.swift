/// 抽奖: drawn after the order; pricing only validates and carries it.
public struct LotteryRule: Sendable, Hashable {
    public struct Prize: Sendable, Hashable {
        public var prizeId: String
        public var name: String
        public var quantity: Int
        public var weight: Int
        public var costFen: Fen

        public init(prizeId: String, name: String, quantity: Int, weight: Int, costFen: Fen) {
            self.prizeId = prizeId
            self.name = name
            self.quantity = quantity
            self.weight = weight
            self.costFen = costFen
        }
    }
    public var minOrderFen: Fen
    public var prizes: [Prize]

    public init(minOrderFen: Fen, prizes: [Prize]) {
        self.minOrderFen = minOrderFen
        self.prizes = prizes
    }
}

extension LotteryRule: CampaignRule {
    static let kind = CampaignKind.lottery
    var wrapped: CampaignRules { .lottery(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["minOrderFen", "prizes"])
        self.init(
            minOrderFen: try rules.integerIfPresent(AnyKey("minOrderFen")) ?? 0,
            prizes: try rules.list(AnyKey("prizes")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.amount(minOrderFen, "minOrderFen")
        try check.count(prizes.count, 0...PricingLimits.maxPrizes, "prizes", "prizes")
        var ids = Set<String>()
        for (index, prize) in prizes.enumerated() {
            let name = "prizes[\(index)]"
            if prize.prizeId.isEmpty {
                throw PricingInputError(field: check.field("\(name).prizeId"), message: "must not be empty")
            }
            if !ids.insert(prize.prizeId).inserted {
                throw PricingInputError(
                    field: check.field("\(name).prizeId"), message: "duplicate prize id \(prize.prizeId)")
            }
            try check.within(prize.quantity, 0...PricingLimits.maxPrizeQuantity, "\(name).quantity")
            try check.within(prize.weight, 0...PricingLimits.maxPrizeWeight, "\(name).weight")
            try check.amount(prize.costFen, "\(name).costFen")
        }
    }
}

extension LotteryRule.Prize: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["prizeId", "name", "quantity", "weight", "costFen"])
        self.init(
            prizeId: try container.decode(String.self, forKey: AnyKey("prizeId")),
            name: try container.decodeIfPresent(String.self, forKey: AnyKey("name")) ?? "",
            quantity: try container.integer(AnyKey("quantity")),
            weight: try container.integer(AnyKey("weight")),
            costFen: try container.integerIfPresent(AnyKey("costFen")) ?? 0)
    }
}
