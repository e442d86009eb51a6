import EventStore
import Foundation
import PostgresNIO
import ProjectionRuntime
import PromoCLI
import PromoDomain
import PromoProjections
import PromoTestSupport
import Testing

/// Every read model, built incrementally while a generated history is appended, equals the same read model
/// rebuilt from position 0, row for row.
@Suite("Rebuilt equals built incrementally")
struct RebuildEqualityTests {
    /// A checksum of every row of `table` in `schema`, in a fixed order.
    static func checksum(_ store: PostgresEventStore, schema: String, table: String) async throws -> String {
        try await store.client.leasedValue(
            PostgresQuery(
                unsafeSQL: "SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    + "FROM \(schema).\(table) t"),
            as: String.self, logger: TestDatabase.logger) ?? ""
    }

    @Test("Over a generated history of 20,000 events, each read model rebuilt from 0 equals the incremental one")
    func rebuiltEqualsIncremental() async throws {
        try await ProjectionTestKit.withDatabase { store in
            let projections = try ReadModels.all().map {
                Projection(definition: $0.definition, handler: $0.handler, batchSize: 97, rebuildBatchSize: 1_000)
            }
            let catalog = ProjectionCatalog(store: store, projections: projections)
            try await ProjectionTestKit.running(catalog) {
                // Built while the history is appended, in small batches.
                var history = SyntheticHistory()
                let last = try await history.append(to: store, events: 20_000)
                #expect(history.count >= 20_000)
                var before: [String: String] = [:]
                for projection in projections {
                    #expect(try await catalog.waitUntil(projection.name, reaches: last, timeout: .seconds(120)))
                    let live = try #require(try await catalog.generations(of: projection.name).first)
                    for table in projection.definition.tables {
                        before["\(projection.name).\(table)"] = try await Self.checksum(
                            store, schema: live.schema, table: table)
                    }
                }
                // The generated history is consistent: its reconciliation finds nothing wrong.
                let today = BusinessDay.string(from: Date())
                let reconciliation = try await DailyReconciliation.run(
                    day: today, client: store.client, logger: TestDatabase.logger)
                #expect(reconciliation.mismatches.isEmpty, "\(reconciliation.mismatches.prefix(3).map(\.message))")
                #expect(reconciliation.paymentsFen > 0)
                #expect(reconciliation.refundsFen > 0)
                #expect(reconciliation.costs.contains { $0.costKind == "ads" })
                // Rebuilt from position 0 beside the live ones, then switched to.
                for projection in projections {
                    let building = try await catalog.requestRebuild(projection.name)
                    try await ProjectionTestKit.eventually("\(projection.name) rebuilt") {
                        try await catalog.generations(of: projection.name).map(\.generation) == [building.generation]
                    }
                    #expect(try await catalog.waitUntil(projection.name, reaches: last, timeout: .seconds(120)))
                    for table in projection.definition.tables {
                        let after = try await Self.checksum(store, schema: building.schema, table: table)
                        #expect(after == before["\(projection.name).\(table)"], "\(projection.name).\(table)")
                        #expect(!after.hasPrefix("0:"), "\(projection.name).\(table) has rows")
                    }
                }
            }
        }
    }
}
