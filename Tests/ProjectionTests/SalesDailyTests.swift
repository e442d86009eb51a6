import EventStore
import Foundation
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Testing

/// The daily sales rows do not depend on where the worker's batches end.
@Suite("Sales per day")
struct SalesDailyTests {
    @Test("An order placed in one batch and cancelled in a later one leaves no row behind, as a rebuild has none")
    func cancellationInALaterBatchLeavesNoRow() async throws {
        var history = OrderHistory()
        try history.product("HP-1", category: "hotpot", tags: ["spicy"])
        _ = try history.order("u-1", daysAgo: 2, [("HP-1", 2)])
        let dropped = try history.order("u-2", daysAgo: 1, [("HP-1", 3)], paid: false)
        let placed = history.appends
        try await ProjectionTestKit.withDatabase { store in
            let catalog = ProjectionCatalog(
                store: store, projections: try ReadModels.all().filter { $0.definition.name == Sales.name })
            try await ProjectionTestKit.running(catalog) {
                var last: Int64 = 0
                for append in placed { last = try await store.append([append]).lastPosition }
                #expect(try await catalog.waitUntil(Sales.name, reaches: last, timeout: .seconds(60)))
                let schema = try #require(try await catalog.generations(of: Sales.name).first).schema
                let before = try await Self.daily(store, schema: schema)
                #expect(before == ["\(OrderHistory.day(1)) HP-1 3 3000", "\(OrderHistory.day(2)) HP-1 2 2000"])
                // The cancellation comes after the worker has written the placement.
                last = try await store.append(
                    to: try StreamID("order-\(dropped)"), expectedVersion: .exact(1),
                    events: [try NewEvent(OrderCancelled(orderId: dropped, reason: "test"))]
                ).lastPosition
                #expect(try await catalog.waitUntil(Sales.name, reaches: last, timeout: .seconds(60)))
                #expect(
                    try await Self.daily(store, schema: schema) == ["\(OrderHistory.day(2)) HP-1 2 2000"],
                    "no zero row for \(dropped)")
            }
        }
    }

    /// Every `sales_daily` row as "day sku units net", in order.
    static func daily(_ store: PostgresEventStore, schema: String) async throws -> [String] {
        try await store.client.leasedQuery(
            PostgresQuery(
                unsafeSQL: "SELECT day::text, sku, units, net_fen FROM \(schema).sales_daily ORDER BY day DESC, sku"),
            logger: store.logger
        ) { rows in
            var lines: [String] = []
            for try await (day, sku, units, net) in rows.decode((String, String, Int64, Int64).self) {
                lines.append("\(day) \(sku) \(units) \(net)")
            }
            return lines
        }
    }
}
