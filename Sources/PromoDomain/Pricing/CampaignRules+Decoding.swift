/// Strict decoding of rule parts: every integer field is checked so a fractional or
/// textual amount is reported with its path.
extension ReductionTier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["thresholdFen", "reductionFen"])
        self.init(
            thresholdFen: try container.integer(AnyKey("thresholdFen")),
            reductionFen: try container.integer(AnyKey("reductionFen")))
    }
}

extension DiscountTier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["thresholdFen", "percentBp"])
        self.init(
            thresholdFen: try container.integer(AnyKey("thresholdFen")),
            percentBp: try container.integer(AnyKey("percentBp")))
    }
}

extension BundleRule.Item: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["sku", "quantity"])
        self.init(
            sku: try container.decode(String.self, forKey: AnyKey("sku")),
            quantity: try container.integerIfPresent(AnyKey("quantity")) ?? 1)
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

extension BudgetAmounts: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["totalFen", "discountFen", "giftCostFen", "couponSubsidyFen", "pointsCostFen"])
        self.init(
            totalFen: try container.integerIfPresent(AnyKey("totalFen")),
            discountFen: try container.integerIfPresent(AnyKey("discountFen")),
            giftCostFen: try container.integerIfPresent(AnyKey("giftCostFen")),
            couponSubsidyFen: try container.integerIfPresent(AnyKey("couponSubsidyFen")),
            pointsCostFen: try container.integerIfPresent(AnyKey("pointsCostFen")))
    }
}

extension CampaignStacking: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["priority", "exclusiveGroup", "stackable", "excludesCoupons"])
        self.init(
            priority: try container.integerIfPresent(AnyKey("priority")) ?? 0,
            exclusiveGroup: try container.decodeIfPresent(String.self, forKey: AnyKey("exclusiveGroup")),
            stackable: try container.decodeIfPresent(Bool.self, forKey: AnyKey("stackable")) ?? true,
            excludesCoupons: try container.decodeIfPresent(Bool.self, forKey: AnyKey("excludesCoupons")) ?? false)
    }
}

/// `alerts.budgetThresholds` are fractions of the budget (0.8 = 80 %), kept as basis points.
extension CampaignAlerts: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["budgetThresholds"])
        guard container.contains(AnyKey("budgetThresholds")) else {
            self.init()
            return
        }
        var list = try container.nestedUnkeyedContainer(forKey: AnyKey("budgetThresholds"))
        var thresholds: [Int] = []
        while !list.isAtEnd {
            let fraction = try list.decode(Double.self)
            guard fraction > 0 && fraction <= 1 else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: list.codingPath + [AnyKey(intValue: thresholds.count)!],
                        debugDescription: "must be a fraction of the budget in (0, 1] (got \(fraction))"))
            }
            thresholds.append(Int((fraction * Double(BasisPoints.whole)).rounded()))
        }
        self.init(budgetThresholdsBp: thresholds)
    }
}
