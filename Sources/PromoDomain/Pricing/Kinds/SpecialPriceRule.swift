/// 一口价: listed SKUs at a fixed unit price.
public struct SpecialPriceRule: Sendable, Hashable {
    public var prices: [String: Fen]
    public init(prices: [String: Fen]) { self.prices = prices }
}

extension SpecialPriceRule: CampaignRule {
    static let kind = CampaignKind.specialPrice
    var wrapped: CampaignRules { .specialPrice(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["prices"])
        let prices = try rules.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("prices"))
        var result: [String: Fen] = [:]
        for sku in prices.allKeys { result[sku.stringValue] = try prices.integer(sku) }
        self.init(prices: result)
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        if prices.isEmpty { throw PricingInputError(field: check.field("prices"), message: "must not be empty") }
        for (sku, price) in prices.sorted(by: { $0.key < $1.key }) {
            try check.known(sku, "prices.\(sku)")
            try check.amount(price, "prices.\(sku)")
        }
    }
}

extension SpecialPriceRule: UnitOfferRule {
    /// The listed SKUs, whatever the campaign's scope.
    func unitTerms(for product: Product, inScope: Bool) -> UnitTerms? { prices[product.sku].map(UnitTerms.price) }
    var unitLimit: (quantity: Int, perCustomer: Int)? { nil }
}
