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

/// Units held for an order at a location: reserved grows, on hand does not (shipping issues them).
public struct StockReserved: DomainEvent {
    public static let eventType = "StockReserved"

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

    public static let sample = StockReserved(
        sku: "HP-001", location: "wh-chengdu", quantity: 2, orderId: "o-20261111-0001")
}

/// An order's reservation was given back (the order was cancelled): reserved shrinks.
public struct StockReleased: DomainEvent {
    public static let eventType = "StockReleased"

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

    public static let sample = StockReleased(
        sku: "HP-001", location: "wh-chengdu", quantity: 2, orderId: "o-20261111-0001")
}

/// An order's reserved units left the location (it shipped): on hand and reserved both shrink.
public struct StockIssued: DomainEvent {
    public static let eventType = "StockIssued"

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

    public static let sample = StockIssued(
        sku: "HP-001", location: "wh-chengdu", quantity: 2, orderId: "o-20261111-0001")
}

/// Returned units put back on hand (a refund with `restock`): on hand grows.
public struct StockReturned: DomainEvent {
    public static let eventType = "StockReturned"

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

    public static let sample = StockReturned(
        sku: "HP-001", location: "wh-chengdu", quantity: 1, orderId: "o-20261111-0001")
}
