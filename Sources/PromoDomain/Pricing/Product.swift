/// A sellable SKU as pricing sees it: list price, unit cost and the attributes scopes match on.
public struct Product: Sendable, Hashable {
    public var sku: String
    public var name: String
    /// List price of one unit.
    public var priceFen: Fen
    /// Unit cost; a gift's cost is what its campaign's gift-cost budget pays.
    public var costFen: Fen
    public var category: String
    public var tags: [String]

    public init(sku: String, name: String, priceFen: Fen, costFen: Fen, category: String, tags: [String] = []) {
        self.sku = sku
        self.name = name
        self.priceFen = priceFen
        self.costFen = costFen
        self.category = category
        self.tags = tags
    }
}
