/// Goods arrived at a location: on hand grows by `quantity`.
public struct StockReceived: DomainEvent {
    public static let eventType = "StockReceived"

    public var sku: String
    public var location: String
    public var quantity: Int

    public init(sku: String, location: String, quantity: Int) {
        self.sku = sku
        self.location = location
        self.quantity = quantity
    }

    public static let sample = StockReceived(sku: "HP-001", location: "online", quantity: 120)
}

/// A stock count correction (breakage, count difference): on hand changes by `delta`, with the reason.
public struct StockAdjusted: DomainEvent {
    public static let eventType = "StockAdjusted"

    public var sku: String
    public var location: String
    public var delta: Int
    public var reason: String

    public init(sku: String, location: String, delta: Int, reason: String) {
        self.sku = sku
        self.location = location
        self.delta = delta
        self.reason = reason
    }

    public static let sample = StockAdjusted(sku: "HP-001", location: "online", delta: -2, reason: "damaged in transit")
}

/// The safety stock of a location was set; below it, low-stock events follow.
public struct SafetyStockSet: DomainEvent {
    public static let eventType = "SafetyStockSet"

    public var sku: String
    public var location: String
    public var quantity: Int

    public init(sku: String, location: String, quantity: Int) {
        self.sku = sku
        self.location = location
        self.quantity = quantity
    }

    public static let sample = SafetyStockSet(sku: "HP-001", location: "online", quantity: 20)
}

/// Available stock (on hand − reserved) fell below the location's safety stock; appended with the event that
/// made it fall, so replenishment and the alerts feed never miss a crossing.
public struct LowStockDetected: DomainEvent {
    public static let eventType = "LowStockDetected"

    public var sku: String
    public var location: String
    public var available: Int
    public var safetyStock: Int

    public init(sku: String, location: String, available: Int, safetyStock: Int) {
        self.sku = sku
        self.location = location
        self.available = available
        self.safetyStock = safetyStock
    }

    public static let sample = LowStockDetected(sku: "HP-001", location: "online", available: 12, safetyStock: 20)
}

/// What an order does to the stock of one SKU at one location: the same fields, a type per movement.
public struct OrderStockMovement<Movement: OrderStockMovementKind>: DomainEvent {
    public static var eventType: String { Movement.eventType }

    public var sku: String
    public var location: String
    public var quantity: Int
    public var orderId: String

    public init(sku: String, location: String, quantity: Int, orderId: String) {
        self.sku = sku
        self.location = location
        self.quantity = quantity
        self.orderId = orderId
    }

    public static var sample: Self {
        Self(sku: "HP-001", location: "wh-chengdu", quantity: 2, orderId: "o-20261111-0001")
    }
}

/// Names one kind of ``OrderStockMovement``.
public protocol OrderStockMovementKind: Sendable {
    static var eventType: String { get }
}

/// The kinds of ``OrderStockMovement``.
public enum StockMovement {
    /// Units held for an order: reserved grows, on hand does not (shipping issues them).
    public enum Reserved: OrderStockMovementKind { public static let eventType = "StockReserved" }
    /// An order's reservation given back (cancelled, or refunded before shipping): reserved shrinks.
    public enum Released: OrderStockMovementKind { public static let eventType = "StockReleased" }
    /// An order's reserved units left the location (it shipped): on hand and reserved both shrink.
    public enum Issued: OrderStockMovementKind { public static let eventType = "StockIssued" }
    /// Returned units put back on hand (a refund with `restock`): on hand grows.
    public enum Returned: OrderStockMovementKind { public static let eventType = "StockReturned" }
}

public typealias StockReserved = OrderStockMovement<StockMovement.Reserved>
public typealias StockReleased = OrderStockMovement<StockMovement.Released>
public typealias StockIssued = OrderStockMovement<StockMovement.Issued>
public typealias StockReturned = OrderStockMovement<StockMovement.Returned>
