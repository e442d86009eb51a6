import Foundation

/// Points a customer earned (`points-{customerId}`): on an order's payment, what it earns on its paid amount and
/// what its points rebates (满返积分) grant.
///
/// Version 2 added `expiresAt` (``PointsExpiry``); version 1 payloads, written before points expired, are read
/// with `expiresAt` null: those points never expire.
public struct PointsEarned: DomainEvent {
    public static let eventType = "PointsEarned"
    public static let schemaVersion = 2

    public var customerId: String
    public var orderId: String
    public var points: Int
    /// `order` (earned on the amount paid) or `rebate` (a campaign's 满返).
    public var source: String
    /// When these points expire (RFC 3339, Asia/Shanghai midnight, ``PointsExpiry/expiresAt(earnedAt:)``);
    /// nil: never.
    public var expiresAt: String?

    public init(customerId: String, orderId: String, points: Int, source: String, expiresAt: String?) {
        self.customerId = customerId
        self.orderId = orderId
        self.points = points
        self.source = source
        self.expiresAt = expiresAt
    }

    public static let sample = PointsEarned(
        customerId: "u-1001", orderId: "o-20261111-0001", points: 117, source: "order",
        expiresAt: "2028-01-01T00:00:00+08:00")

    /// v1 had no `expiresAt`: points earned then never expire.
    public static let upcasterFromV1 = Upcaster(eventType: eventType, fromVersion: 1) { payload in
        guard case .object(var members) = payload else { return payload }
        if members["expiresAt"] == nil { members["expiresAt"] = .null }
        return .object(members)
    }
}

/// Points left unused when their lot's `expiresAt` came (`points-{customerId}`), taken off the balance.
public struct PointsExpired: DomainEvent {
    public static let eventType = "PointsExpired"

    public var customerId: String
    /// The lot: the `expiresAt` of the ``PointsEarned`` events it holds.
    public var expiresAt: String
    public var points: Int

    public init(customerId: String, expiresAt: String, points: Int) {
        self.customerId = customerId
        self.expiresAt = expiresAt
        self.points = points
    }

    public static let sample = PointsExpired(customerId: "u-1001", expiresAt: "2028-01-01T00:00:00+08:00", points: 40)
}

/// The brand's rule for points: they are good until the end of the calendar year after the one they were earned
/// in, Asia/Shanghai (积分有效期至次年12月31日). Points earned on any day of 2026 expire at
/// 2028-01-01T00:00:00+08:00.
public enum PointsExpiry {
    /// The instant points earned at `earnedAt` expire, as `yyyy-01-01T00:00:00+08:00`.
    public static func expiresAt(earnedAt: Date) -> String {
        let year = Int(BusinessDay.string(from: earnedAt).prefix(4)) ?? 1970
        return "\(year + 2)-01-01T00:00:00+08:00"
    }

    /// Whether a lot expiring at `expiresAt` has expired at `now`: its day (Asia/Shanghai) has begun.
    static func isDue(_ expiresAt: String, now: Date) -> Bool {
        BusinessDay.string(from: now) >= String(expiresAt.prefix(10))
    }
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

/// A customer's points account folded: the balance, and the lots it is made of by when they expire.
///
/// Points are spent, and taken back on refunds, from the lots that expire soonest (points taken back come first
/// from the lot the order earned them into). Points an order spent go back, when it is cancelled or its units
/// returned, to the lots they came from; if such a lot has expired meanwhile, they expire at the next step.
/// Points taken back that were already spent leave a debt (the balance below zero) that later earnings pay first.
/// Every command that spends or takes back points expires the lots due first (``decideExpiry(customerId:now:)``),
/// so no command ever spends a point after its lot's day.
public struct PointsAccount: EventSourced, Equatable {
    /// A lot's key for points that never expire (earned before points expired).
    public static let never = "never"

    public private(set) var balance = 0
    /// Points left per lot, by `expiresAt` (or ``never``).
    public private(set) var lots: [String: Int] = [:]
    /// Points owed: taken back after they were spent.
    public private(set) var debt = 0
    /// Where each order's spent points came from, lot by lot.
    private var spentFrom: [String: [String: Int]] = [:]
    /// The lot each order's points went into.
    private var earnedInto: [String: String] = [:]

    public init() {}

    public mutating func evolve(type: String, payload: JSONValue) throws {
        switch type {
        case PointsEarned.eventType:
            let earned = try payload.decode(as: PointsEarned.self)
            let lot = earned.expiresAt ?? Self.never
            earnedInto[earned.orderId] = lot
            credit(earned.points, to: lot)
        case PointsRedeemed.eventType:
            let spent = try payload.decode(as: PointsRedeemed.self)
            spentFrom[spent.orderId, default: [:]].merge(take(spent.points, first: nil), uniquingKeysWith: +)
        case PointsReturned.eventType:
            let back = try payload.decode(as: PointsReturned.self)
            var left = back.points
            // Back into the lots they came from, the latest-expiring first.
            var from = spentFrom[back.orderId] ?? [:]
            for lot in from.keys.sorted(by: Self.expiresSooner).reversed() where left > 0 {
                let amount = min(left, from[lot] ?? 0)
                from[lot, default: 0] -= amount
                left -= amount
                credit(amount, to: lot)
            }
            spentFrom[back.orderId] = from
            if left > 0 { credit(left, to: Self.never) }
        case PointsClawedBack.eventType:
            let back = try payload.decode(as: PointsClawedBack.self)
            _ = take(back.points, first: earnedInto[back.orderId])
        case PointsExpired.eventType:
            let expired = try payload.decode(as: PointsExpired.self)
            let amount = min(expired.points, lots[expired.expiresAt] ?? 0)
            lots[expired.expiresAt] = (lots[expired.expiresAt] ?? 0) - amount
            if lots[expired.expiresAt] == 0 { lots[expired.expiresAt] = nil }
            balance -= amount
        default: break
        }
    }

    /// Points that can be spent at `now`: the balance without the lots whose day has come.
    public func available(at now: Date) -> Int {
        balance - lots.filter { Self.isDue($0.key, now: now) }.values.reduce(0, +)
    }

    /// The lots whose day has come at `now`, expired: one event per lot with points left.
    public func decideExpiry(customerId: String, now: Date) -> [PointsExpired] {
        lots.keys.sorted(by: Self.expiresSooner).compactMap { lot in
            guard let points = lots[lot], points > 0, Self.isDue(lot, now: now) else {
                return nil
            }
            return PointsExpired(customerId: customerId, expiresAt: lot, points: points)
        }
    }

    /// Spending `points` on an order at `now`: the lots due expire first, then the rest must cover it.
    public func decideRedeem(_ points: Int, customerId: String, orderId: String, now: Date) throws(PointsError)
        -> [any DomainEvent]
    {
        guard points > 0 else { return [] }
        let available = available(at: now)
        guard points <= available else { throw .insufficient(balance: available, wanted: points) }
        return decideExpiry(customerId: customerId, now: now)
            + [PointsRedeemed(customerId: customerId, orderId: orderId, points: points)]
    }

    /// Points given back or taken back (a cancel, a refund) at `now`: the lots due expire first, then `changes`,
    /// then what they put back into a lot already due expires too. The outcome does not depend on whether the
    /// clock had come by yet.
    public func decide(_ changes: [any DomainEvent], customerId: String, now: Date) throws -> [any DomainEvent] {
        guard !changes.isEmpty else { return [] }
        let first = decideExpiry(customerId: customerId, now: now)
        var after = self
        for event in first as [any DomainEvent] + changes {
            try after.evolve(type: type(of: event).eventType, payload: JSONValue(encoding: event))
        }
        return first + changes + after.decideExpiry(customerId: customerId, now: now)
    }

    private mutating func credit(_ points: Int, to lot: String) {
        balance += points
        let paid = min(points, debt)
        debt -= paid
        if points > paid { lots[lot, default: 0] += points - paid }
    }

    /// Takes `points` from `first`, then from the lots that expire soonest; what no lot holds becomes debt.
    private mutating func take(_ points: Int, first: String?) -> [String: Int] {
        balance -= points
        var left = points
        var taken: [String: Int] = [:]
        let order = (first.map { [$0] } ?? []) + lots.keys.sorted(by: Self.expiresSooner).filter { $0 != first }
        for lot in order where left > 0 {
            let amount = min(left, lots[lot] ?? 0)
            guard amount > 0 else { continue }
            lots[lot] = (lots[lot] ?? 0) - amount
            if lots[lot] == 0 { lots[lot] = nil }
            taken[lot, default: 0] += amount
            left -= amount
        }
        debt += left
        return taken
    }

    /// Whether a lot's day has come at `now` (``never`` never).
    static func isDue(_ lot: String, now: Date) -> Bool { lot != never && PointsExpiry.isDue(lot, now: now) }

    /// Lots in the order they expire; ``never`` last.
    static func expiresSooner(_ a: String, _ b: String) -> Bool {
        if a == never { return false }
        if b == never { return true }
        return a < b
    }
}

/// A points command the account refuses.
public enum PointsError: Error, Sendable, Equatable {
    case insufficient(balance: Int, wanted: Int)
}
