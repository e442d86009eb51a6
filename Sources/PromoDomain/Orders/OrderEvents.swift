/// An order was placed (`order-{orderId}`): the cart as priced when it was placed, with the full per-line
/// breakdown (`quote`: lines, adjustments, gifts, applied and rejected promotions, budget charges), where its
/// stock is reserved, and how it will be paid.
public struct OrderPlaced: DomainEvent {
    public static let eventType = "OrderPlaced"

    public var orderId: String
    public var customerId: String
    public var channel: String
    public var storeId: String
    /// Where the order's units (gifts too) are reserved.
    public var fulfilmentLocation: String
    public var paymentMethod: String
    public var subtotalFen: Int64
    public var discountFen: Int64
    public var totalFen: Int64
    /// The quote the order was placed at, as `POST /v1/quotes` answers it.
    public var quote: JSONValue
    /// The same quote as refunds read it (`Quote.record`): each adjustment's spread over the units and its
    /// budget, unit costs, the lines each rebate was earned on. `Quote(record:)` gives it back.
    public var record: JSONValue
    /// Units reserved per SKU at `fulfilmentLocation` (purchased and gift units).
    public var reservations: [Reservation]
    /// What the order consumed of each campaign it used, released as it was if the order is cancelled.
    public var campaigns: [CampaignUse]
    /// The day it was placed (Asia/Shanghai), the day its per-day usage counted on.
    public var day: String
    /// Points spent on it (积分抵现), deducted from the customer's account in the same append.
    public var pointsRedeemed: Int
    /// Points it earns on payment: on the amount paid, and from points rebates.
    public var pointsToEarn: Int
    public var rebatePoints: Int
    /// Coupons redeemed on it (given back if it is cancelled).
    public var coupons: [String]

    public struct Reservation: Codable, Sendable, Equatable {
        public var sku: String
        public var quantity: Int
        public init(sku: String, quantity: Int) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    public struct CampaignUse: Codable, Sendable, Equatable {
        public var campaignId: String
        public var discountFen: Int64
        public var giftCostFen: Int64
        public var couponSubsidyFen: Int64
        public var pointsCostFen: Int64
        public var flashUnits: Int
        /// Which definition of the campaign priced the order (1 = as created, +1 per adjustment).
        public var definitionVersion: Int
        public init(
            campaignId: String, discountFen: Int64, giftCostFen: Int64, couponSubsidyFen: Int64, pointsCostFen: Int64,
            flashUnits: Int, definitionVersion: Int
        ) {
            self.definitionVersion = definitionVersion
            self.campaignId = campaignId
            self.discountFen = discountFen
            self.giftCostFen = giftCostFen
            self.couponSubsidyFen = couponSubsidyFen
            self.pointsCostFen = pointsCostFen
            self.flashUnits = flashUnits
        }
    }

    public init(
        orderId: String, customerId: String, channel: String, storeId: String, fulfilmentLocation: String,
        paymentMethod: String, subtotalFen: Int64, discountFen: Int64, totalFen: Int64, quote: JSONValue,
        reservations: [Reservation], campaigns: [CampaignUse], day: String, pointsRedeemed: Int = 0,
        pointsToEarn: Int = 0, rebatePoints: Int = 0, record: JSONValue = .object([:]), coupons: [String] = []
    ) {
        self.coupons = coupons
        self.record = record
        self.pointsRedeemed = pointsRedeemed
        self.pointsToEarn = pointsToEarn
        self.rebatePoints = rebatePoints
        self.reservations = reservations
        self.campaigns = campaigns
        self.day = day
        self.orderId = orderId
        self.customerId = customerId
        self.channel = channel
        self.storeId = storeId
        self.fulfilmentLocation = fulfilmentLocation
        self.paymentMethod = paymentMethod
        self.subtotalFen = subtotalFen
        self.discountFen = discountFen
        self.totalFen = totalFen
        self.quote = quote
    }

    public static let sample = OrderPlaced(
        orderId: "o-20261111-0001", customerId: "u-1001", channel: "online", storeId: "s-online",
        fulfilmentLocation: "wh-chengdu", paymentMethod: "wechat_pay", subtotalFen: 13770, discountFen: 2000,
        totalFen: 11770,
        quote: [
            "lines": [["sku": "MD-002", "quantity": 3, "unitPriceFen": 4590, "listFen": 13770, "netFen": 11770]],
            "subtotalFen": 13770, "discountFen": 2000, "totalFen": 11770,
        ],
        reservations: [Reservation(sku: "MD-002", quantity: 3)],
        campaigns: [
            CampaignUse(
                campaignId: "c-1111", discountFen: 2000, giftCostFen: 0, couponSubsidyFen: 0, pointsCostFen: 0,
                flashUnits: 0, definitionVersion: 1)
        ],
        day: "2026-11-11")
}

/// An order was cancelled before shipping: its reservations, budgets and flash units go back.
public struct OrderCancelled: DomainEvent {
    public static let eventType = "OrderCancelled"

    public var orderId: String
    public var reason: String

    public init(orderId: String, reason: String) {
        self.orderId = orderId
        self.reason = reason
    }

    public static let sample = OrderCancelled(orderId: "o-20261111-0001", reason: "customer changed their mind")
}

/// An order left a location: its reserved units were issued from there.
public struct OrderShipped: DomainEvent {
    public static let eventType = "OrderShipped"

    public var orderId: String
    public var location: String

    public init(orderId: String, location: String) {
        self.orderId = orderId
        self.location = location
    }

    public static let sample = OrderShipped(orderId: "o-20261111-0001", location: "wh-chengdu")
}

/// An order was paid: its rebates and the points it earns are granted in the same append.
public struct OrderPaid: DomainEvent {
    public static let eventType = "OrderPaid"

    public var orderId: String
    public var amountFen: Int64
    public var method: String
    /// The payment provider's reference.
    public var reference: String

    public init(orderId: String, amountFen: Int64, method: String, reference: String) {
        self.orderId = orderId
        self.amountFen = amountFen
        self.method = method
        self.reference = reference
    }

    public static let sample = OrderPaid(
        orderId: "o-20261111-0001", amountFen: 11770, method: "wechat_pay", reference: "4200001234202611111234567890")
}

/// Some units of a paid order were returned: what was paid back for them, exactly their share of the order.
///
/// Version 2 added `gifts`, the gift units that came back with the refund (they pay back nothing and release the
/// gift-cost budget they consumed); version 1 payloads are read with none.
public struct OrderRefunded: DomainEvent {
    public static let eventType = "OrderRefunded"
    public static let schemaVersion = 2

    public var orderId: String
    public var refundId: String
    public var lines: [Line]
    public var gifts: [GiftLine]
    /// Money paid back (the delivery fee included with the order's last unit).
    public var refundFen: Int64
    public var pointsReturned: Int
    public var pointsClawedBack: Int

    public struct Line: Codable, Sendable, Equatable {
        public var sku: String
        public var quantity: Int
        public var refundFen: Int64
        /// Whether the units go back on hand (otherwise written off: thawed frozen food is not resold).
        public var restock: Bool
        public init(sku: String, quantity: Int, refundFen: Int64, restock: Bool) {
            self.sku = sku
            self.quantity = quantity
            self.refundFen = refundFen
            self.restock = restock
        }
    }

    /// Gift units returned: the campaign that gave them, the SKU, how many, and whether they go back on hand.
    public struct GiftLine: Codable, Sendable, Equatable {
        public var campaignId: String
        public var sku: String
        public var quantity: Int
        public var restock: Bool
        public init(campaignId: String, sku: String, quantity: Int, restock: Bool) {
            self.campaignId = campaignId
            self.sku = sku
            self.quantity = quantity
            self.restock = restock
        }
    }

    public init(
        orderId: String, refundId: String, lines: [Line], gifts: [GiftLine] = [], refundFen: Int64,
        pointsReturned: Int, pointsClawedBack: Int
    ) {
        self.orderId = orderId
        self.refundId = refundId
        self.lines = lines
        self.gifts = gifts
        self.refundFen = refundFen
        self.pointsReturned = pointsReturned
        self.pointsClawedBack = pointsClawedBack
    }

    public static let sample = OrderRefunded(
        orderId: "o-20261111-0001", refundId: "r-1",
        lines: [Line(sku: "MD-002", quantity: 1, refundFen: 3924, restock: false)],
        gifts: [GiftLine(campaignId: "c-gift-tangyuan", sku: "TY-001", quantity: 1, restock: true)],
        refundFen: 3924, pointsReturned: 0, pointsClawedBack: 39)

    /// v1 had no `gifts`: no gift came back.
    public static let upcasterFromV1 = Upcaster(eventType: eventType, fromVersion: 1) { payload in
        guard case .object(var members) = payload else { return payload }
        if members["gifts"] == nil { members["gifts"] = .array([]) }
        return .object(members)
    }
}

/// An order's stream folded.
public struct OrderState: EventSourced, Equatable {
    public private(set) var placed: OrderPlaced?
    /// `placed`, `paid`, `shipped` or `cancelled`.
    public private(set) var status: String?
    public private(set) var paid = false
    /// Where the order shipped from: its fulfilment location, or the one that shipped it instead.
    public private(set) var shippedFrom: String?
    /// Units returned so far per SKU, the refunds' ids, and what they paid back.
    public private(set) var returned: [String: Int] = [:]
    /// Gift units returned so far per campaign.
    public private(set) var returnedGifts: [String: Int] = [:]
    public private(set) var refundIds: Set<String> = []
    public private(set) var refundedFen: Int64 = 0

    public init() {}

    public mutating func evolve(type: String, payload: JSONValue) throws {
        switch type {
        case OrderPlaced.eventType:
            placed = try payload.decode(as: OrderPlaced.self)
            status = "placed"
        case OrderCancelled.eventType:
            status = "cancelled"
        case OrderShipped.eventType:
            status = "shipped"
            shippedFrom = try payload.decode(as: OrderShipped.self).location
        case OrderPaid.eventType:
            paid = true
            if status == "placed" { status = "paid" }
        case OrderRefunded.eventType:
            let refund = try payload.decode(as: OrderRefunded.self)
            refundIds.insert(refund.refundId)
            refundedFen += refund.refundFen
            for line in refund.lines { returned[line.sku, default: 0] += line.quantity }
            for gift in refund.gifts { returnedGifts[gift.campaignId, default: 0] += gift.quantity }
        default:
            break
        }
    }

    /// Cancelling: a placed order only; cancelling a cancelled one changes nothing.
    public func decideCancel(reason: String) throws(OrderError) -> [OrderCancelled] {
        guard let placed else { throw .notFound }
        switch status {
        case "cancelled": return []
        case "shipped": throw .alreadyShipped
        default: return [OrderCancelled(orderId: placed.orderId, reason: reason)]
        }
    }

    /// Paying: the whole total, once, before cancellation.
    public func decidePay(amountFen: Int64, method: String, reference: String) throws(OrderError) -> [OrderPaid] {
        guard let placed else { throw .notFound }
        if status == "cancelled" { throw .cancelled }
        if paid { throw .alreadyPaid }
        guard amountFen == placed.totalFen else { throw .amountMismatch(totalFen: placed.totalFen) }
        return [OrderPaid(orderId: placed.orderId, amountFen: amountFen, method: method, reference: reference)]
    }

    /// Refunding: a paid order, not cancelled, under a refund id not used before.
    public func checkRefund(refundId: String) throws(OrderError) {
        guard placed != nil else { throw .notFound }
        if status == "cancelled" { throw .cancelled }
        guard paid else { throw .notPaid }
        if refundIds.contains(refundId) { throw .refundExists(refundId: refundId) }
    }

    /// Shipping: a placed order; shipping a shipped one again from the same location changes nothing, from
    /// another is refused (it left already); a cancelled one cannot ship.
    public func decideShip(location: String) throws(OrderError) -> [OrderShipped] {
        guard let placed else { throw .notFound }
        switch status {
        case "shipped":
            guard shippedFrom == nil || shippedFrom == location else { throw .alreadyShipped }
            return []
        case "cancelled": throw .cancelled
        default: return [OrderShipped(orderId: placed.orderId, location: location)]
        }
    }
}

/// An order command its state refuses.
public enum OrderError: Error, Sendable, Equatable {
    case notFound
    case alreadyShipped
    case cancelled
    case alreadyPaid
    case amountMismatch(totalFen: Int64)
    case notPaid
    case refundExists(refundId: String)
}
