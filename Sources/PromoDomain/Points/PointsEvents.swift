/// Points a customer earned (`points-{customerId}`): on an order's payment, what it earns on its paid amount and
/// what its points rebates (满返积分) grant.
public struct PointsEarned: DomainEvent {
    public static let eventType = "PointsEarned"

    public var customerId: String
    public var orderId: String
    public var points: Int
    /// `order` (earned on the amount paid) or `rebate` (a campaign's 满返).
    public var source: String

    public init(customerId: String, orderId: String, points: Int, source: String) {
        self.customerId = customerId
        self.orderId = orderId
        self.points = points
        self.source = source
    }

    public static let sample = PointsEarned(
        customerId: "u-1001", orderId: "o-20261111-0001", points: 117, source: "order")
}

/// Points spent on an order, or given back: the same fields, a type for each direction.
public struct OrderPoints<Direction: OrderPointsDirection>: DomainEvent {
    public static var eventType: String { Direction.eventType }

    public var customerId: String
    public var orderId: String
    public var points: Int

    public init(customerId: String, orderId: String, points: Int) {
        self.customerId = customerId
        self.orderId = orderId
        self.points = points
    }

    public static var sample: Self { Self(customerId: "u-1001", orderId: "o-20261111-0001", points: 500) }
}

/// Names one direction of ``OrderPoints``.
public protocol OrderPointsDirection: Sendable {
    static var eventType: String { get }
}

/// The directions of ``OrderPoints``.
public enum PointsMovement {
    /// Points a customer spent on an order (积分抵现), deducted in the order's own append.
    public enum Spent: OrderPointsDirection { public static let eventType = "PointsRedeemed" }
    /// Points spent on an order given back (the order was cancelled, or its units returned).
    public enum GivenBack: OrderPointsDirection { public static let eventType = "PointsReturned" }
}

public typealias PointsRedeemed = OrderPoints<PointsMovement.Spent>
public typealias PointsReturned = OrderPoints<PointsMovement.GivenBack>

/// Points earned on returned units taken back (a refund). The balance may go below zero when they were spent
/// already: the customer owes them.
public struct PointsClawedBack: DomainEvent {
    public static let eventType = "PointsClawedBack"

    public var customerId: String
    public var orderId: String
    public var refundId: String
    public var points: Int

    public init(customerId: String, orderId: String, refundId: String, points: Int) {
        self.customerId = customerId
        self.orderId = orderId
        self.refundId = refundId
        self.points = points
    }

    public static let sample = PointsClawedBack(
        customerId: "u-1001", orderId: "o-20261111-0001", refundId: "r-1", points: 39)
}

/// A customer's points account folded: the balance (below zero only after a clawback of points already spent).
public struct PointsAccount: EventSourced, Equatable {
    public private(set) var balance = 0

    public init() {}

    public mutating func evolve(type: String, payload: JSONValue) throws {
        switch type {
        case PointsEarned.eventType: balance += try payload.decode(as: PointsEarned.self).points
        case PointsRedeemed.eventType: balance -= try payload.decode(as: PointsRedeemed.self).points
        case PointsReturned.eventType: balance += try payload.decode(as: PointsReturned.self).points
        case PointsClawedBack.eventType: balance -= try payload.decode(as: PointsClawedBack.self).points
        default: break
        }
    }

    /// Spending `points` on an order: refused when the balance is short.
    public func decideRedeem(_ points: Int, customerId: String, orderId: String) throws(PointsError)
        -> [PointsRedeemed]
    {
        guard points > 0 else { return [] }
        guard points <= balance else { throw .insufficient(balance: balance, wanted: points) }
        return [PointsRedeemed(customerId: customerId, orderId: orderId, points: points)]
    }
}

/// A points command the account refuses.
public enum PointsError: Error, Sendable, Equatable {
    case insufficient(balance: Int, wanted: Int)
}
