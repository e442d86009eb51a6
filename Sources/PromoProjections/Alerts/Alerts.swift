import EventStore
import Foundation
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoDomain

/// The alerts feed's recorded part: `alert_events` (low stock, budget thresholds crossed) and `order_minutes`
/// (orders and refunds per minute, for the refund-spike check made when the feed is read).
public struct Alerts: ProjectionHandler {
    public static let name = "alerts"

    public init() {}

    struct Alert {
        var position: Int64, kind: String, subject: String, at: Date, message: String, details: String
    }

    public func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        var alerts: [Alert] = []
        var minutes: [Date: (orders: Int64, refunds: Int64)] = [:]
        for event in events {
            let minute = Date(timeIntervalSince1970: (event.recordedAt.timeIntervalSince1970 / 60).rounded(.down) * 60)
            switch event.type {
            case LowStockDetected.eventType:
                let low = try event.decode(as: LowStockDetected.self)
                alerts.append(
                    Alert(
                        position: event.position, kind: "low_stock", subject: "\(low.sku)@\(low.location)",
                        at: event.recordedAt,
                        message:
                            "\(low.sku) at \(low.location): \(low.available) available, below safety stock \(low.safetyStock)",
                        details: try JSONValue(encoding: low).canonicalString))
            case CampaignBudgetThresholdCrossed.eventType:
                let crossed = try event.decode(as: CampaignBudgetThresholdCrossed.self)
                let percent = Double(crossed.thresholdBp) / 100
                alerts.append(
                    Alert(
                        position: event.position, kind: "budget_threshold",
                        subject: "\(crossed.campaignId):\(crossed.budget):\(crossed.thresholdBp)", at: event.recordedAt,
                        message: String(
                            format: "campaign %@ used %.0f%% of its %@ budget (%lld of %lld fen)", crossed.campaignId,
                            percent, crossed.budget, crossed.consumedFen, crossed.limitFen),
                        details: try JSONValue(encoding: crossed).canonicalString))
            case OrderPlaced.eventType:
                minutes[minute, default: (0, 0)].orders += 1
            case OrderRefunded.eventType:
                minutes[minute, default: (0, 0)].refunds += 1
            default:
                continue
            }
        }
        if !alerts.isEmpty {
            try await connection.execute(
                """
                INSERT INTO alert_events (position, kind, subject, at, message, details)
                SELECT p, k, s, a, m, d::jsonb
                FROM unnest(\(alerts.map(\.position)), \(alerts.map(\.kind)), \(alerts.map(\.subject)),
                            \(alerts.map(\.at)), \(alerts.map(\.message)), \(alerts.map(\.details)))
                     AS x(p, k, s, a, m, d)
                """, logger: logger)
        }
        if !minutes.isEmpty {
            let sorted = minutes.sorted { $0.key < $1.key }
            try await connection.execute(
                """
                INSERT INTO order_minutes AS m (minute, orders, refunds)
                SELECT * FROM unnest(\(sorted.map(\.key)), \(sorted.map(\.value.orders)), \(sorted.map(\.value.refunds)))
                ON CONFLICT (minute) DO UPDATE
                SET orders = m.orders + excluded.orders, refunds = m.refunds + excluded.refunds
                """, logger: logger)
        }
    }
}
