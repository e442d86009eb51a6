/// 组合优惠: one of each listed item (times its quantity) together for `bundlePriceFen`.
public struct BundleRule: Sendable, Hashable {
    public struct Item: Sendable, Hashable {
        public var sku: String
        public var quantity: Int
        public init(sku: String, quantity: Int) {
            self.sku = sku
            self.quantity = quantity
        }
    }
    public var items: [Item]
    public var bundlePriceFen: Fen
    public init(items: [Item], bundlePriceFen: Fen) {
        self.items = items
        self.bundlePriceFen = bundlePriceFen
    }
}

extension BundleRule: CampaignRule {
    static let kind = CampaignKind.bundle
    var wrapped: CampaignRules { .bundle(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["items", "bundlePriceFen"])
        self.init(
            items: try rules.decode([BundleRule.Item].self, forKey: AnyKey("items")),
            bundlePriceFen: try rules.integer(AnyKey("bundlePriceFen")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.count(items.count, 1...PricingLimits.maxBundleItems, "items", "items")
        var skus = Set<String>()
        for (index, item) in items.enumerated() {
            try check.known(item.sku, "items[\(index)].sku")
            if !skus.insert(item.sku).inserted {
                throw PricingInputError(
                    field: check.field("items[\(index)].sku"), message: "duplicate SKU \(item.sku)")
            }
            try check.within(item.quantity, 1...PricingLimits.maxBundleItemQuantity, "items[\(index)].quantity")
        }
        try check.amount(bundlePriceFen, "bundlePriceFen")
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
