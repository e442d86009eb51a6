/// Strict decoding of a campaign's parts other than its rules (each kind decodes its own, in `Kinds/`):
/// every integer field is checked so a fractional or textual amount is reported with its path.
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
