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

    /// Ends the session of one projection worker holding its lease (the one a batch of it runs on), as a crash
    /// or an operator's kill would; returns whether there was one.
    static func killOneWorker(_ store: PostgresEventStore) async throws -> Bool {
        try await store.client.leasedQuery(
            """
            SELECT pg_terminate_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND classid = 1347570252::oid AND objsubid = 2
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY random() LIMIT 1
            """, logger: TestDatabase.logger
        ) { rows in
            var killed = false
            for try await terminated in rows.decode(Bool.self) where terminated { killed = true }
            return killed
        }
    }

    @Test("Over a generated history of 20,000 events, each read model rebuilt from 0 equals the incremental one")
    func rebuiltEqualsIncremental() async throws {
        try await Self.rebuiltEqualsIncremental(killingWorkers: false)
    }

    /// The same with a worker's session killed every 150 ms while the history is appended. It reproduced a hang
    /// before ``PostgresConnection/abandoningWhenClosed(grace:_:)``: a session killed between two queries of a
    /// worker left its next query unanswered for good (postgres-nio 1.33 drops the write to a closed channel), so
    /// every worker stopped within seconds, with nothing logged.
    @Test("Workers killed at random while they build: each read model still equals the one rebuilt from 0")
    func rebuiltEqualsIncrementalUnderKills() async throws {
        try await Self.rebuiltEqualsIncremental(killingWorkers: true)
    }

    static func rebuiltEqualsIncremental(killingWorkers: Bool) async throws {
        try await ProjectionTestKit.withDatabaseAndWorkerPool { store, workerStore in
            let projections = try ReadModels.all().map {
                Projection(definition: $0.definition, handler: $0.handler, batchSize: 97, rebuildBatchSize: 1_000)
            }
            // The workers on a pool of their own, as `promoctl serve` runs them.
            let catalog = ProjectionCatalog(store: workerStore, projections: projections)
            try await ProjectionTestKit.running(catalog) {
                // Built while the history is appended, in small batches (and, when asked, with now and then a
                // worker's session killed: its batch rolls back and it takes the lease again from the checkpoint).
                let killer = Task {
                    var kills = 0
                    while killingWorkers, !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(150))
                        if (try? await Self.killOneWorker(store)) == true { kills += 1 }
                    }
                    return kills
                }
                var history = SyntheticHistory()
                let last: Int64
                do {
                    last = try await history.append(to: store, events: 20_000)
                } catch {
                    killer.cancel()
                    throw error
                }
                killer.cancel()
                let kills = await killer.value
                #expect(!killingWorkers || kills > 0, "no worker was killed: the test proved nothing about crashes")
                #expect(history.count >= 20_000)
                var before: [String: String] = [:]
                for projection in projections {
                    let reached = try await catalog.waitUntil(projection.name, reaches: last, timeout: .seconds(120))
                    if !reached {
                        let status = try await catalog.status(of: projection)
                        Issue.record("\(projection.name) did not catch up: \(status)")
                    }
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
                    // Built without its secondary indexes, switched to with every one of them.
                    let indexes = try await store.client.leasedQuery(
                        "SELECT indexname FROM pg_indexes WHERE schemaname = \(building.schema)",
                        logger: TestDatabase.logger
                    ) { rows in
                        var names = Set<String>()
                        for try await name in rows.decode(String.self) { names.insert(name) }
                        return names
                    }
                    for statement in projection.definition.secondaryIndexStatements {
                        let name = statement.uppercased().components(separatedBy: "CREATE INDEX ").last?
                            .split(separator: " ").first.map { String($0).lowercased() }
                        #expect(name.map(indexes.contains) == true, "\(projection.name): \(statement)")
                    }
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
