/// A product's stream (`product-{sku}`) folded: the product as last defined, or nil before the first definition.
public struct ProductState: EventSourced, Equatable {
    public private(set) var product: ProductDefined?

    public init() {}

    public mutating func evolve(type: String, payload: JSONValue) throws {
        if type == ProductDefined.eventType { product = try payload.decode(as: ProductDefined.self) }
    }

    /// The events a definition appends: none when the product is already exactly so (a repeated PUT changes
    /// nothing), else the new definition.
    public func decide(_ command: DefineProduct) -> [ProductDefined] {
        product == command.product ? [] : [command.product]
    }
}
