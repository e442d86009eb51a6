import EventStore
import Foundation
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoDomain

/// The campaign dashboard's rows (`campaign_orders`): one per order and campaign it used, marked when the
/// order is cancelled and added to when it is refunded. Each kind of event is written with one statement per
/// batch.
public struct CampaignDashboard: ProjectionHandler {
    public static let name = "campaign_dashboard"

    public init() {}

    struct Refund: Decodable {
        var orderId: String
        var refundFen: Int64
    }

    struct Row {
        var order: String, campaign: String, customer: String, channel: String, store: String, day: String
        var at: Date, gmv: Int64, discount: Int64, giftCost: Int64, position: Int64
        var cancelled = false
        var refunded: Int64 = 0
    }

    public func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        var placed: [Row] = []
        // Cancels and refunds in event order, after the placements of the batch (an order is placed before it
        // can be cancelled or refunded, so its rows exist by then).
        var cancelled: [String] = []
        var refunds: [(String, Int64)] = []
        for event in events {
            switch event.type {
            case OrderPlaced.eventType:
                let order = try event.decodePayload(as: PlacedOrder.self)
                for use in try order.campaignUses() {
                    placed.append(
                        Row(
                            order: order.orderId, campaign: use.campaignId, customer: order.customerId,
                            channel: order.channel, store: order.storeId, day: order.day, at: event.recordedAt,
                            gmv: order.subtotalFen ?? order.totalFen, discount: use.discountFen,
                            giftCost: use.giftCostFen,
                            position: event.position))
                }
            case OrderCancelled.eventType:
                cancelled.append(try event.decodePayload(as: OrderKey.self).orderId)
            case OrderRefunded.eventType:
                let refund = try event.decodePayload(as: Refund.self)
                refunds.append((refund.orderId, refund.refundFen))
            default:
                continue
            }
        }
        // An order placed in this batch is written cancelled and refunded as the batch left it: the rows an
        // update after the insert would leave, without the update.
        let placedHere = Set(placed.map(\.order))
        let cancelledHere = Set(cancelled.filter(placedHere.contains))
        var refundedHere: [String: Int64] = [:]
        for (order, fen) in refunds where placedHere.contains(order) { refundedHere[order, default: 0] += fen }
        for index in placed.indices {
            placed[index].cancelled = cancelledHere.contains(placed[index].order)
            placed[index].refunded = refundedHere[placed[index].order] ?? 0
        }
        cancelled.removeAll(where: placedHere.contains)
        refunds.removeAll { placedHere.contains($0.0) }
        if !placed.isEmpty {
            try await connection.execute(
                """
                INSERT INTO campaign_orders (order_id, campaign_id, customer_id, channel, store_id, day, hour, gmv_fen,
                                             discount_fen, gift_cost_fen, cancelled, refunded_fen, position)
                SELECT o, c, u, ch, s, d::date, date_trunc('hour', at AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai',
                       g, dis, gift, cx, r, p
                FROM unnest(\(placed.map(\.order)), \(placed.map(\.campaign)), \(placed.map(\.customer)),
                            \(placed.map(\.channel)), \(placed.map(\.store)), \(placed.map(\.day)), \(placed.map(\.at)),
                            \(placed.map(\.gmv)), \(placed.map(\.discount)), \(placed.map(\.giftCost)),
                            \(placed.map(\.cancelled)), \(placed.map(\.refunded)), \(placed.map(\.position)))
                     AS x(o, c, u, ch, s, d, at, g, dis, gift, cx, r, p)
                """, logger: logger)
        }
        if !cancelled.isEmpty {
            try await connection.execute(
                "UPDATE campaign_orders SET cancelled = true WHERE order_id = ANY(\(cancelled))", logger: logger)
        }
        if !refunds.isEmpty {
            try await connection.execute(
                """
                UPDATE campaign_orders o SET refunded_fen = o.refunded_fen + r.fen
                FROM (SELECT id, sum(fen)::bigint AS fen FROM unnest(\(refunds.map(\.0)), \(refunds.map(\.1))) AS x(id, fen)
                      GROUP BY id) r
                WHERE o.order_id = r.id
                """, logger: logger)
        }
    }
}
