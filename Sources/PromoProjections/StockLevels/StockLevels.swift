import EventStore
import Foundation
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoDomain

/// Stock levels per SKU and location (`stock_levels`): the batch's movements summed per key, then one
/// multi-row upsert.
public struct StockLevels: ProjectionHandler {
    public static let name = "stock_levels"

    public init() {}

    struct Change {
        var onHand: Int64 = 0
        var reserved: Int64 = 0
        var safetyStock: Int64?
        var lastPosition: Int64 = 0
        var at = Date(timeIntervalSince1970: 0)
    }

    public func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        var changes: [String: (sku: String, location: String, change: Change)] = [:]
        for event in events {
            let (sku, location) = try Self.key(of: event)
            var entry = changes["\(sku)@\(location)"] ?? (sku, location, Change())
            switch event.type {
            case StockReceived.eventType:
                entry.change.onHand += Int64(try event.decode(as: StockReceived.self).quantity)
            case StockAdjusted.eventType:
                entry.change.onHand += Int64(try event.decode(as: StockAdjusted.self).delta)
            case SafetyStockSet.eventType:
                entry.change.safetyStock = Int64(try event.decode(as: SafetyStockSet.self).quantity)
            case StockReserved.eventType:
                entry.change.reserved += Int64(try event.decode(as: StockReserved.self).quantity)
            case StockReleased.eventType:
                entry.change.reserved -= Int64(try event.decode(as: StockReleased.self).quantity)
            case StockIssued.eventType:
                let quantity = Int64(try event.decode(as: StockIssued.self).quantity)
                entry.change.reserved -= quantity
                entry.change.onHand -= quantity
            case StockReturned.eventType:
                entry.change.onHand += Int64(try event.decode(as: StockReturned.self).quantity)
            default:
                continue
            }
            entry.change.lastPosition = event.position
            entry.change.at = event.recordedAt
            changes["\(sku)@\(location)"] = entry
        }
        guard !changes.isEmpty else { return }
        let rows = changes.values.sorted { ($0.sku, $0.location) < ($1.sku, $1.location) }
        let skus = rows.map(\.sku)
        let locations = rows.map(\.location)
        try await connection.execute(
            """
            INSERT INTO stock_levels (sku, location, on_hand, reserved, safety_stock, last_position, updated_at)
            SELECT sku, location, 0, 0, 0, 0, now() FROM unnest(\(skus), \(locations)) AS c(sku, location)
            ON CONFLICT (sku, location) DO NOTHING
            """, logger: logger)
        try await connection.execute(
            """
            UPDATE stock_levels s
            SET on_hand = s.on_hand + c.on_hand, reserved = s.reserved + c.reserved,
                safety_stock = CASE WHEN c.safety_set THEN c.safety ELSE s.safety_stock END,
                last_position = c.last_position, updated_at = c.at
            FROM unnest(\(skus), \(locations), \(rows.map(\.change.onHand)), \(rows.map(\.change.reserved)),
                        \(rows.map { $0.change.safetyStock ?? 0 }), \(rows.map { $0.change.safetyStock != nil }),
                        \(rows.map(\.change.lastPosition)), \(rows.map(\.change.at)))
                 AS c(sku, location, on_hand, reserved, safety, safety_set, last_position, at)
            WHERE s.sku = c.sku AND s.location = c.location
            """, logger: logger)
    }

    /// The SKU and location every stock event carries.
    struct Key: Decodable {
        var sku: String
        var location: String
    }

    static func key(of event: RecordedEvent) throws -> (String, String) {
        let key = try event.decodePayload(as: Key.self)
        return (key.sku, key.location)
    }
}
