/// Define or redefine a product (`PUT /v1/products/{sku}`): the whole record, checked against ``InputLimits``.
public struct DefineProduct: Sendable, Equatable {
    /// The product as the command defines it; what ``ProductState/decide(_:)`` records when it differs.
    public let product: ProductDefined

    public init(
        sku: String, name: String, spec: String, origin: String, shelfLifeDays: Int64, priceFen: Int64,
        costFen: Int64, category: String, tags: [String]
    ) throws(FieldError) {
        product = ProductDefined(
            sku: try InputLimits.identifier(sku, field: "sku"),
            name: try InputLimits.text(name, field: "name", length: InputLimits.nameLength),
            spec: try InputLimits.text(spec, field: "spec", length: 0...InputLimits.nameLength.upperBound),
            origin: try InputLimits.text(origin, field: "origin", length: 0...InputLimits.nameLength.upperBound),
            shelfLifeDays: Int(
                try InputLimits.integer(shelfLifeDays, field: "shelfLifeDays", in: InputLimits.shelfLifeDays)),
            priceFen: try InputLimits.integer(priceFen, field: "priceFen", in: InputLimits.fen),
            costFen: try InputLimits.integer(costFen, field: "costFen", in: InputLimits.fen),
            category: try InputLimits.text(category, field: "category", length: InputLimits.labelLength),
            tags: try InputLimits.labels(tags, field: "tags"))
    }
}
