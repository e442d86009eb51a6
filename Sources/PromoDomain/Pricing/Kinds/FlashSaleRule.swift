/// 秒杀: `priceFen` for a limited `quantity`, at most `perCustomerLimit` per customer.
public struct FlashSaleRule: Sendable, Hashable {
    public var sku: String
    public var priceFen: Fen
    public var quantity: Int
    public var perCustomerLimit: Int
    public init(sku: String, priceFen: Fen, quantity: Int, perCustomerLimit: Int) {
        self.sku = sku
        self.priceFen = priceFen
        self.quantity = quantity
        self.perCustomerLimit = perCustomerLimit
    }
}

extension FlashSaleRule: CampaignRule {
    static let kind = CampaignKind.flashSale
    var wrapped: CampaignRules { .flashSale(self) }

    init(rules: KeyedDecodingContainer<AnyKey>) throws {
        try rules.rejectUnknownKeys(["sku", "priceFen", "quantity", "perCustomerLimit"])
        self.init(
            sku: try rules.decode(String.self, forKey: AnyKey("sku")),
            priceFen: try rules.integer(AnyKey("priceFen")),
            quantity: try rules.integer(AnyKey("quantity")),
            perCustomerLimit: try rules.integer(AnyKey("perCustomerLimit")))
    }

    func validate(_ check: RuleCheck) throws(PricingInputError) {
        try check.known(sku, "sku")
        try check.amount(priceFen, "priceFen")
        try check.within(quantity, 1...PricingLimits.maxQuantity, "quantity")
        try check.within(perCustomerLimit, 1...PricingLimits.maxQuantity, "perCustomerLimit")
    }
}

extension FlashSaleRule: UnitOfferRule {
    func unitTerms(for product: Product, inScope: Bool) -> UnitTerms? { product.sku == sku ? .price(priceFen) : nil }
    var unitLimit: (quantity: Int, perCustomer: Int)? { (quantity, perCustomerLimit) }
}
