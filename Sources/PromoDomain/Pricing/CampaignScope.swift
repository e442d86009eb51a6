/// Where a campaign applies: which products, channels, stores and regions.
///
/// An empty list means "no restriction" for that dimension; a product is in scope when
/// its SKU or its category is listed (or both lists are empty).
public struct CampaignScope: Sendable, Hashable {
    public var skus: [String]
    public var categories: [String]
    public var channels: [String]
    public var stores: [String]
    public var regions: [String]

    public init(
        skus: [String] = [],
        categories: [String] = [],
        channels: [String] = [],
        stores: [String] = [],
        regions: [String] = []
    ) {
        self.skus = skus
        self.categories = categories
        self.channels = channels
        self.stores = stores
        self.regions = regions
    }

    /// Refuses a scope naming a SKU outside `known` (a campaign's or coupon template's when written: scoped to a
    /// product the catalog does not have, it would never apply), naming `scope.skus[i]`.
    public func checkSKUs(known: Set<String>) throws(PricingInputError) {
        for (index, sku) in skus.enumerated() where !known.contains(sku) {
            throw PricingInputError(field: "scope.skus[\(index)]", message: "unknown SKU \(sku)", unknownSKU: sku)
        }
    }

    /// Whether the product with this SKU and category is covered.
    public func covers(sku: String, category: String) -> Bool {
        if skus.isEmpty && categories.isEmpty { return true }
        return skus.contains(sku) || categories.contains(category)
    }
}
