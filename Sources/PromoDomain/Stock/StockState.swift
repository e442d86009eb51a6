/// One location's stock of one SKU, folded from `stock-{sku}@{location}`.
///
/// Invariant: `available = onHand − reserved` is never below zero; ``decide(_:sku:location:)`` refuses every
/// command that would break it.
public struct StockState: EventSourced, Equatable {
    public private(set) var onHand: Int64 = 0
    public private(set) var reserved: Int64 = 0
    public private(set) var safetyStock: Int64 = 0

    public init() {}

    public var available: Int64 { onHand - reserved }
    public var isLow: Bool { available < safetyStock }

    public mutating func evolve(type: String, payload: JSONValue) throws {
        switch type {
        case StockReceived.eventType:
            onHand += Int64(try payload.decode(as: StockReceived.self).quantity)
        case StockAdjusted.eventType:
            onHand += Int64(try payload.decode(as: StockAdjusted.self).delta)
        case SafetyStockSet.eventType:
            safetyStock = Int64(try payload.decode(as: SafetyStockSet.self).quantity)
        case StockReserved.eventType:
            reserved += Int64(try payload.decode(as: StockReserved.self).quantity)
        case StockReleased.eventType:
            reserved -= Int64(try payload.decode(as: StockReleased.self).quantity)
        case StockReturned.eventType:
            onHand += Int64(try payload.decode(as: StockReturned.self).quantity)
        case StockIssued.eventType:
            let issued = Int64(try payload.decode(as: StockIssued.self).quantity)
            reserved -= issued
            onHand -= issued
        default:
            break
        }
    }

    /// The events a command appends, in order: the change, then a ``LowStockDetected`` when it takes available
    /// stock from at or above safety stock to below it. Setting the safety stock it already has appends nothing.
    public func decide(_ command: StockCommand, sku: String, location: String) throws(StockError)
        -> [any DomainEvent]
    {
        var after = self
        let change: any DomainEvent
        switch command {
        case .receive(let quantity):
            try after.changeOnHand(by: quantity)
            change = StockReceived(sku: sku, location: location, quantity: Int(quantity))
        case .adjust(let delta, let reason):
            try after.changeOnHand(by: delta)
            change = StockAdjusted(sku: sku, location: location, delta: Int(delta), reason: reason)
        case .setSafetyStock(let quantity):
            // A PUT of the level there is changes nothing, so it appends nothing.
            guard quantity != safetyStock else { return [] }
            after.safetyStock = quantity
            change = SafetyStockSet(sku: sku, location: location, quantity: Int(quantity))
        case .reserve(let quantity, let orderId):
            guard quantity <= available else { throw .insufficientStock(available: available, delta: -quantity) }
            after.reserved += quantity
            change = StockReserved(sku: sku, location: location, quantity: Int(quantity), orderId: orderId)
        case .release(let quantity, let orderId):
            // Only what was reserved can go back: the order's own reservation, never more.
            guard quantity <= reserved else { throw .insufficientStock(available: reserved, delta: -quantity) }
            after.reserved -= quantity
            change = StockReleased(sku: sku, location: location, quantity: Int(quantity), orderId: orderId)
        case .issueReserved(let quantity, let orderId):
            guard quantity <= reserved, quantity <= onHand else {
                throw .insufficientStock(available: reserved, delta: -quantity)
            }
            after.reserved -= quantity
            after.onHand -= quantity
            change = StockIssued(sku: sku, location: location, quantity: Int(quantity), orderId: orderId)
        case .restock(let quantity, let orderId):
            try after.changeOnHand(by: quantity)
            change = StockReturned(sku: sku, location: location, quantity: Int(quantity), orderId: orderId)
        }
        guard after.isLow, !isLow else { return [change] }
        return [
            change,
            LowStockDetected(
                sku: sku, location: location, available: Int(after.available), safetyStock: Int(after.safetyStock)),
        ]
    }

    private mutating func changeOnHand(by delta: Int64) throws(StockError) {
        let (newOnHand, overflow) = onHand.addingReportingOverflow(delta)
        guard !overflow, newOnHand <= InputLimits.onHand.upperBound else {
            throw .onHandLimitExceeded(onHand: onHand, delta: delta)
        }
        guard newOnHand - reserved >= 0 else { throw .insufficientStock(available: available, delta: delta) }
        onHand = newOnHand
    }
}
