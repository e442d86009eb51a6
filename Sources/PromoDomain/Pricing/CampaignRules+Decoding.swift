/// Strict decoding of rule parts: every integer field is checked so a fractional or
/// textual amount is reported with its path.
extension ReductionTier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        self.init(
            thresholdFen: try container.integer(AnyKey("thresholdFen")),
            reductionFen: try container.integer(AnyKey("reductionFen")))
    }
}

extension DiscountTier: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        self.init(
            thresholdFen: try container.integer(AnyKey("thresholdFen")),
            percentBp: try container.integer(AnyKey("percentBp")))
    }
}

extension BundleRule.Item: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        self.init(
            sku: try container.decode(String.self, forKey: AnyKey("sku")),
            quantity: try container.integerIfPresent(AnyKey("quantity")) ?? 1)
    }
}

extension LotteryRule.Prize: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
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
        self.init(
            priority: try container.integerIfPresent(AnyKey("priority")) ?? 0,
            exclusiveGroup: try container.decodeIfPresent(String.self, forKey: AnyKey("exclusiveGroup")),
            stackable: try container.decodeIfPresent(Bool.self, forKey: AnyKey("stackable")) ?? true)
    }
}
