import Foundation

/// What placing an order writes, decided from its quote and the states of the streams it touches.
///
/// Pure: the command side loads the streams, prices the cart on what they hold, and appends what this returns
/// to each stream at the version it loaded, in one append. It records the order with its quote; reserves every
/// purchased and gift unit at the fulfilment location; records on each campaign the order used what it consumed
/// (budgets, flash units, the definition version it was priced with) and every budget alert threshold that takes
/// it across; redeems the order's coupons and the points it spends; and counts the order on the customer.
/// Anything that cannot hold (a unit short, points short) is a refusal and nothing is written.
public struct OrderPlacement: Sendable {
    /// The order as recorded on its own stream.
    public var order: OrderPlaced
    /// The events of each SKU's stock stream at the fulfilment location, by SKU, SKUs in ascending order.
    public var stock: [(sku: String, events: [any DomainEvent])]
    /// The events of each campaign the order used, in the order the campaigns were given: what it consumed, then
    /// each alert threshold crossed.
    public var campaigns: [(campaignId: String, events: [any DomainEvent])]
    /// The points account's events (the points the order spends); empty when it spends none.
    public var points: [any DomainEvent]
    /// Each coupon the order redeems, by code, codes in ascending order.
    public var coupons: [(code: String, events: [any DomainEvent])]
    /// The customer's events: the order counted, for a customer with a profile.
    public var customer: [any DomainEvent]

    /// Who places the order, where, and when.
    public struct Order: Sendable {
        public var orderId: String
        public var customerId: String
        public var channel: String
        public var storeId: String
        public var fulfilmentLocation: String
        public var paymentMethod: String
        /// The business day (Asia/Shanghai) the order counts on.
        public var day: String
        public var now: Date

        public init(
            orderId: String, customerId: String, channel: String, storeId: String, fulfilmentLocation: String,
            paymentMethod: String, day: String, now: Date
        ) {
            self.orderId = orderId
            self.customerId = customerId
            self.channel = channel
            self.storeId = storeId
            self.fulfilmentLocation = fulfilmentLocation
            self.paymentMethod = paymentMethod
            self.day = day
            self.now = now
        }
    }

    /// A campaign the quote applied: its stream's state and its definition as priced.
    public struct UsedCampaign: Sendable {
        public var state: CampaignStreamState
        public var definition: Campaign

        public init(state: CampaignStreamState, definition: Campaign) {
            self.state = state
            self.definition = definition
        }
    }

    /// Decides the order's events.
    ///
    /// - Parameters:
    ///   - quote: the cart priced on the states given.
    ///   - stock: the stock state at the fulfilment location of every SKU the quote holds, gifts included.
    ///   - campaigns: every campaign the quote applied, by id, in the order their events are wanted.
    public static func decide(
        _ order: Order, quote: Quote, stock: [String: StockState], campaigns: [(id: String, used: UsedCampaign)],
        points: PointsAccount, customer: CustomerRecord
    ) throws(OrderPlacementError) -> OrderPlacement {
        // Every unit, gifts included, is reserved where the order ships from.
        var units: [String: Int] = [:]
        for line in quote.lines { units[line.sku, default: 0] += line.quantity }
        for gift in quote.gifts { units[gift.sku, default: 0] += gift.quantity }
        var stockEvents: [(sku: String, events: [any DomainEvent])] = []
        for sku in units.keys.sorted() {
            guard let quantity = units[sku], quantity > 0 else { continue }
            guard let state = stock[sku] else { throw .stockNotLoaded(sku: sku) }
            do throws(StockError) {
                let events = try state.decide(
                    .reserve(quantity: Int64(quantity), orderId: order.orderId), sku: sku,
                    location: order.fulfilmentLocation)
                stockEvents.append((sku, events))
            } catch {
                throw .stock(sku: sku, error)
            }
        }

        var uses: [OrderPlaced.CampaignUse] = []
        var campaignEvents: [(campaignId: String, events: [any DomainEvent])] = []
        for (id, used) in campaigns {
            let charge = quote.budgetCharge(campaignId: id)
            let use = OrderPlaced.CampaignUse(
                campaignId: id, discountFen: Int64(charge.discountFen), giftCostFen: Int64(charge.giftCostFen),
                couponSubsidyFen: Int64(charge.couponSubsidyFen), pointsCostFen: Int64(charge.pointsCostFen),
                flashUnits: used.definition.kind == .flashSale ? quote.unitsPriced(byCampaign: id) : 0,
                definitionVersion: used.state.definitionCount)
            uses.append(use)
            let consumed = CampaignBudgetConsumed(
                campaignId: id, orderId: order.orderId, customerId: order.customerId, day: order.day,
                discountFen: use.discountFen, giftCostFen: use.giftCostFen, couponSubsidyFen: use.couponSubsidyFen,
                pointsCostFen: use.pointsCostFen, flashUnits: use.flashUnits)
            // The alert thresholds this order takes the budget across, in the same append.
            let alerts = CampaignBudgetThresholdCrossed.crossed(
                by: consumed, before: used.state.consumed, limits: used.definition.budget,
                thresholdsBp: used.definition.alerts.budgetThresholdsBp)
            campaignEvents.append((id, [consumed] + alerts))
        }

        let pointEvents: [any DomainEvent]
        do throws(PointsError) {
            pointEvents = try points.decideRedeem(
                quote.pointsRedeemed, customerId: order.customerId, orderId: order.orderId, now: order.now)
        } catch {
            throw .insufficientPoints(asked: quote.pointsRedeemed, available: points.available(at: order.now))
        }
        let codes = Set(quote.applied.compactMap(\.source.couponCode)).sorted()
        let rebatePoints = quote.rebates.reduce(0) { sum, rebate in
            if case .points(let points) = rebate.reward { return sum + points }
            return sum
        }
        let placed = OrderPlaced(
            orderId: order.orderId, customerId: order.customerId, channel: order.channel, storeId: order.storeId,
            fulfilmentLocation: order.fulfilmentLocation, paymentMethod: order.paymentMethod,
            subtotalFen: Int64(quote.subtotalFen), discountFen: Int64(quote.discountFen),
            totalFen: Int64(quote.totalFen), quote: quote.json.jsonValue,
            reservations: units.keys.sorted().map { OrderPlaced.Reservation(sku: $0, quantity: units[$0] ?? 0) },
            campaigns: uses, day: order.day, pointsRedeemed: quote.pointsRedeemed, pointsToEarn: quote.pointsToEarn,
            rebatePoints: rebatePoints, record: quote.record, coupons: codes)
        return OrderPlacement(
            order: placed, stock: stockEvents, campaigns: campaignEvents, points: pointEvents,
            coupons: codes.map { ($0, [CouponRedeemed(code: $0, orderId: order.orderId)]) },
            customer: customer.countsOrders
                ? [CustomerOrderRecorded(customerId: order.customerId, orderId: order.orderId)] : [])
    }
}

/// Why an order cannot be placed as priced.
public enum OrderPlacementError: Error, Sendable, Equatable {
    /// A SKU's units cannot be reserved at the fulfilment location.
    case stock(sku: String, StockError)
    /// The points the order spends are more than the account holds.
    case insufficientPoints(asked: Int, available: Int)
    /// The quote holds a SKU whose stock was not loaded (a gift that changed after the streams were chosen):
    /// decide again with its stream.
    case stockNotLoaded(sku: String)
}
