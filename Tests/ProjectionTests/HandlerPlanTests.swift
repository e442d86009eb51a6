import EventStore
import Foundation
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Testing

@Suite("Handler plans")
struct HandlerPlanTests {
    /// `count` orders placed in one batch, each using one campaign.
    static func placed(_ range: Range<Int>, at position: Int64) -> [RecordedEvent] {
        range.map { index in
            let payload: JSONValue = [
                "orderId": .string("o-\(index)"), "customerId": .string("c-\(index % 97)"), "channel": "online",
                "storeId": "online-mall", "day": "2026-11-20", "totalFen": 1_000, "subtotalFen": 1_200,
                "campaigns": [["campaignId": "cmp-1", "discountFen": 200, "giftCostFen": 0]],
            ]
            return RecordedEvent(
                position: position + Int64(index), streamId: "order-o-\(index)", streamVersion: 1, eventId: UUID(),
                type: OrderPlaced.eventType, schemaVersion: 1, storedSchemaVersion: 1, payload: payload,
                metadata: EventMetadata(correlationId: "test", actor: "tests"), recordedAt: Date())
        }
    }

    static func cancelled(_ range: Range<Int>, at position: Int64) -> [RecordedEvent] {
        range.map { index in
            RecordedEvent(
                position: position + Int64(index), streamId: "order-o-\(index)", streamVersion: 2, eventId: UUID(),
                type: OrderCancelled.eventType, schemaVersion: 1, storedSchemaVersion: 1,
                payload: ["orderId": .string("o-\(index)")],
                metadata: EventMetadata(correlationId: "test", actor: "tests"), recordedAt: Date())
        }
    }

    @Test(
        "A batch's keyed writes probe the index of an unanalysed, grown table with the worker's settings; without them the table is scanned"
    )
    func keyedWritesUseTheIndex() async throws {
        try await ProjectionTestKit.withDatabase { store in
            let dashboard = try #require(try ReadModels.all().first { $0.name == CampaignDashboard.name })
            let schema = "rm_plan_\(ProjectionTestKit.suffix())"
            let logger = TestDatabase.logger
            try await store.client.withOpenConnection { connection in
                _ = try await connection.allRows("CREATE SCHEMA \(unescaped: schema)", logger: logger)
                _ = try await connection.allRows("SET search_path TO \(unescaped: schema), public", logger: logger)
                for statement in dashboard.definition.statements {
                    _ = try await connection.allRows(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                // Grown in earlier batches, never analysed (as a generation's tables are while it is built).
                _ = try await connection.allRows(
                    "ALTER TABLE campaign_orders SET (autovacuum_enabled = false)", logger: logger)
                try await dashboard.handler.apply(Self.placed(0..<20_000, at: 1), on: connection, logger: logger)
                _ = try await connection.allRows("RESET search_path", logger: logger)
            }
            // Cancels of 400 orders of earlier batches, once with the worker's settings and once without.
            func sequentialScans(settings: Bool, orders: Range<Int>) async throws -> Int64 {
                try await store.client.withOpenConnection { connection in
                    try await connection.inTransaction(logger: logger) { connection in
                        if settings {
                            _ = try await connection.allRows(
                                ProjectionWorker.handlerSettings(schema: schema), logger: logger)
                        } else {
                            _ = try await connection.allRows(
                                "SET LOCAL search_path TO \(unescaped: schema), public", logger: logger)
                        }
                        let before = try await Self.scans(connection, schema: schema)
                        try await dashboard.handler.apply(
                            Self.cancelled(orders, at: 100_000), on: connection, logger: logger)
                        return try await Self.scans(connection, schema: schema) - before
                    }
                }
            }
            #expect(try await sequentialScans(settings: true, orders: 0..<400) == 0)
            #expect(
                try await sequentialScans(settings: false, orders: 400..<800) > 0,
                "the planner no longer scans an unanalysed table here: this test proves nothing")
            let cancelled = try await store.client.leasedValue(
                PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(schema).campaign_orders WHERE cancelled"),
                as: Int64.self, logger: logger)
            #expect(cancelled == 800)
        }
    }

    /// Sequential scans of `campaign_orders` this session has counted and not yet reported.
    static func scans(_ connection: PostgresConnection, schema: String) async throws -> Int64 {
        try await connection.allRows(
            """
            SELECT seq_scan FROM pg_stat_xact_user_tables WHERE schemaname = \(schema) AND relname = 'campaign_orders'
            """, logger: TestDatabase.logger
        ).first?.decode(Int64.self) ?? 0
    }
}
