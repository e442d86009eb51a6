import Foundation

/// What a refund of some of a paid order's units writes, decided from the order's state and quote and the states
/// of the streams it touches (pure, like ``OrderPlacement``).
///
/// The refund pays back exactly the net the returned units were charged (their share of the quote's per-unit
/// allocation); each campaign gets back exactly the budget those units consumed; the points they carried are
/// returned and the points earned on them clawed back. Units of an order not shipped yet go back to its
/// reservation; of a shipped one, back on hand only when restocked, otherwise written off (thawed frozen food
/// is not resold).
public struct OrderRefund: Sendable {
    /// The refund as recorded on the order's stream.
    public var refunded: OrderRefunded
    /// The arithmetic behind it (each line's reversed adjustments, for the answer).
    public var refund: Refund
    /// The events of each SKU's stock stream at ``OrderState/refundLocation``, SKUs in ascending order; a SKU
    /// whose units are all written off has none.
    public var stock: [(sku: String, events: [any DomainEvent])]
    /// The events of each campaign whose budget the units consumed, in the order's order of campaigns.
    public var campaigns: [(campaignId: String, events: [any DomainEvent])]
    /// The points account's events: points returned and clawed back (an expiry due first, if any).
    public var points: [any DomainEvent]
}

/// Why a refund cannot be recorded.
public enum OrderRefundError: Error, Sendable, Equatable {
    /// The order's state refuses it: unknown, cancelled, not paid, or the refund id taken.
    case order(OrderError)
    /// More units than are left to return, or a SKU or gift the order does not have.
    case tooManyUnits(field: String, message: String)
    /// A SKU of the refund whose stock was not loaded: decide again with its stream.
    case stockNotLoaded(sku: String)
}

extension OrderState {
    /// Where returned units go: the location that shipped them, else the fulfilment location. Nil before the
    /// order is placed.
    public var refundLocation: String? { placed.map { shippedFrom ?? $0.fulfilmentLocation } }

    /// Decides a refund of `units` (bought units by SKU, gift units by the campaign that gave them).
    ///
    /// - Parameters:
    ///   - quote: the order's quote, read back from its record.
    ///   - restock / restockGifts: which SKUs' and campaigns' gift units go back on hand (shipped orders only).
    ///   - stock: the stock state at ``refundLocation`` of every SKU returned.
    /// - Throws: ``OrderRefundError``, or what ``PointsAccount/decide(_:customerId:now:)`` refuses.
    public func decideRefund(
        refundId: String, units: ReturnedUnits, restock: [String: Bool], restockGifts: [String: Bool], quote: Quote,
        stock: [String: StockState], points: PointsAccount, now: Date
    ) throws -> OrderRefund {
        do throws(OrderError) { try checkRefund(refundId: refundId) } catch { throw OrderRefundError.order(error) }
        guard let placed, let location = refundLocation else { throw OrderRefundError.order(.notFound) }
        let orderId = placed.orderId
        let refund: Refund
        do throws(PricingInputError) {
            refund = try quote.refund(units, after: ReturnedUnits(lines: returned, gifts: returnedGifts))
        } catch {
            throw OrderRefundError.tooManyUnits(field: error.field, message: error.message)
        }
        let refunded = OrderRefunded(
            orderId: orderId, refundId: refundId,
            lines: refund.lines.map {
                OrderRefunded.Line(
                    sku: $0.sku, quantity: $0.quantity, refundFen: Int64($0.refundFen),
                    restock: restock[$0.sku] ?? false)
            },
            gifts: refund.gifts.map {
                OrderRefunded.GiftLine(
                    campaignId: $0.giftCampaignId ?? "", sku: $0.sku, quantity: $0.quantity,
                    restock: restockGifts[$0.giftCampaignId ?? ""] ?? false)
            },
            refundFen: Int64(refund.refundFen), pointsReturned: refund.pointsReturned,
            pointsClawedBack: refund.pointsClawedBack)

        // Per SKU, bought and gift units together: all of them, and those going back on hand.
        var back: [String: (units: Int64, restocked: Int64)] = [:]
        for line in refunded.lines {
            back[line.sku, default: (0, 0)].units += Int64(line.quantity)
            if line.restock { back[line.sku, default: (0, 0)].restocked += Int64(line.quantity) }
        }
        for gift in refunded.gifts {
            back[gift.sku, default: (0, 0)].units += Int64(gift.quantity)
            if gift.restock { back[gift.sku, default: (0, 0)].restocked += Int64(gift.quantity) }
        }
        var stockEvents: [(sku: String, events: [any DomainEvent])] = []
        for sku in back.keys.sorted() {
            let (quantity, restocked) = back[sku] ?? (0, 0)
            // Not shipped yet: the reservation goes back whatever restock says. Shipped: back on hand only with
            // restock; otherwise written off (the units left at shipping).
            let command: StockCommand? =
                status == "shipped"
                ? (restocked > 0 ? .restock(quantity: restocked, orderId: orderId) : nil)
                : (quantity > 0 ? .release(quantity: quantity, orderId: orderId) : nil)
            guard let command else { continue }
            guard let state = stock[sku] else { throw OrderRefundError.stockNotLoaded(sku: sku) }
            stockEvents.append((sku, try state.decide(command, sku: sku, location: location)))
        }

        var campaignEvents: [(campaignId: String, events: [any DomainEvent])] = []
        for use in placed.campaigns {
            let release = refund.budgetRelease(campaignId: use.campaignId)
            guard release.totalFen != 0 else { continue }
            campaignEvents.append(
                (use.campaignId, [CampaignBudgetRefunded(release, orderId: orderId, refundId: refundId)]))
        }

        var pointChanges: [any DomainEvent] = []
        if refund.pointsReturned > 0 {
            pointChanges.append(
                PointsReturned(customerId: placed.customerId, orderId: orderId, points: refund.pointsReturned))
        }
        if refund.pointsClawedBack > 0 {
            pointChanges.append(
                PointsClawedBack(
                    customerId: placed.customerId, orderId: orderId, refundId: refundId, points: refund.pointsClawedBack
                ))
        }
        return OrderRefund(
            refunded: refunded, refund: refund, stock: stockEvents, campaigns: campaignEvents,
            points: try points.decide(pointChanges, customerId: placed.customerId, now: now))
    }
}
