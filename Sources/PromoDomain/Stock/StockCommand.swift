/// What can be done to the stock of one SKU at one location (`stock-{sku}@{location}`).
public enum StockCommand: Sendable, Equatable {
    /// Goods arrived: on hand grows.
    case receive(quantity: Int64)
    /// A count correction: on hand changes by `delta` (never 0).
    case adjust(delta: Int64, reason: String)
    /// The level below which available stock raises a low-stock event.
    case setSafetyStock(quantity: Int64)
    /// Hold units for an order (purchased and gift units alike); refused when fewer are available.
    case reserve(quantity: Int64, orderId: String)
    /// Give an order's reserved units back.
    case release(quantity: Int64, orderId: String)
    /// Issue an order's reserved units (it ships).
    case issueReserved(quantity: Int64, orderId: String)
    /// Returned units back on hand.
    case restock(quantity: Int64, orderId: String)

    /// Checks the bounds of ``InputLimits``, naming the field.
    public func validated() throws(FieldError) -> StockCommand {
        switch self {
        case .receive(let quantity):
            _ = try InputLimits.integer(quantity, field: "quantity", in: InputLimits.stockQuantity)
        case .adjust(let delta, let reason):
            let bound = InputLimits.stockQuantity.upperBound
            guard delta != 0 else { throw FieldError(field: "delta", message: "must not be 0") }
            _ = try InputLimits.integer(delta, field: "delta", in: -bound...bound)
            _ = try InputLimits.text(reason, field: "reason", length: InputLimits.reasonLength)
        case .setSafetyStock(let quantity):
            _ = try InputLimits.integer(quantity, field: "quantity", in: 0...InputLimits.stockQuantity.upperBound)
        case .reserve(let quantity, _), .release(let quantity, _), .issueReserved(let quantity, _),
            .restock(let quantity, _):
            _ = try InputLimits.integer(quantity, field: "quantity", in: InputLimits.stockQuantity)
        }
        return self
    }
}
