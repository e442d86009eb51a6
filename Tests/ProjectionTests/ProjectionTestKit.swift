import EventStore
import Foundation
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Synchronization

/// Each test runs on a database of its own (created, migrated, dropped): a projection reads every event of its
/// types, and the shared test database holds other tests' events of the same types, some deliberately broken.
enum ProjectionTestKit {
    static func suffix() -> String { String(UUID().uuidString.lowercased().prefix(8)) }

    /// The real stock-levels projection, in small batches so that tests cross batch boundaries.
    static func stockLevels() throws -> Projection {
        guard let real = try ReadModels.all().first(where: { $0.name == StockLevels.name }) else {
            throw Timeout(what: "the stock_levels definition")
        }
        return Projection(definition: real.definition, handler: real.handler, batchSize: 50, rebuildBatchSize: 200)
    }

    /// Runs `body` with a store on a new database, migrated for the store and projections; drops it after.
    static func withDatabase<T: Sendable>(_ body: @Sendable (PostgresEventStore) async throws -> T) async throws -> T {
        try await withDatabaseAndWorkerPool { store, _ in try await body(store) }
    }

    /// ``withDatabase(_:)`` with a second store on a pool of its own, for workers, as `promoctl serve` runs them:
    /// a worker's connection killed under it is never lent to a writer (postgres-nio 1.33 can lend a connection
    /// whose close it has not yet seen, and a query written to it is never answered).
    static func withDatabaseAndWorkerPool<T: Sendable>(
        _ body: @Sendable (PostgresEventStore, PostgresEventStore) async throws -> T
    ) async throws -> T {
        let scratch = try await ScratchDatabase.create(on: TestDatabase.url, prefix: "proj")
        do {
            let result = try await ScratchDatabase.withClient(scratch.url, maxConnections: 16) { client in
                let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
                try await Migrator(
                    client: client, logger: TestDatabase.logger,
                    migrations: EventStoreMigrations.all + ProjectionMigrations.all
                ).migrate()
                return try await ScratchDatabase.withClient(scratch.url, maxConnections: 12) { workerClient in
                    try await body(store, PostgresEventStore(client: workerClient, logger: TestDatabase.logger))
                }
            }
            try await scratch.drop()
            return result
        } catch {
            try? await scratch.drop()
            throw error
        }
    }

    /// Runs `body` while the workers of `catalog` run, then stops them and waits until they have.
    static func running<T>(_ catalog: ProjectionCatalog, _ body: () async throws -> T) async throws -> T {
        let workers = start(catalog)
        do {
            let result = try await body()
            workers.cancel()
            await workers.value
            return result
        } catch {
            workers.cancel()
            await workers.value
            throw error
        }
    }

    static var fast: ProjectionWorker.Configuration {
        var configuration = ProjectionWorker.Configuration()
        configuration.leaseRetry = .milliseconds(100)
        configuration.pollInterval = .milliseconds(50)
        configuration.backoff = .milliseconds(10)
        configuration.maxBackoff = .milliseconds(100)
        return configuration
    }

    /// Runs the worker of each projection of `catalog` in a task; cancel it to stop them.
    static func start(_ catalog: ProjectionCatalog) -> Task<Void, Never> {
        Task {
            await withDiscardingTaskGroup { group in
                for projection in catalog.projections {
                    group.addTask {
                        await ProjectionWorker(
                            catalog: catalog, projection: projection, signal: nil, configuration: fast
                        )
                        .run()
                    }
                }
            }
        }
    }

    /// Waits (up to 60 s) until `condition` holds.
    static func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw Timeout(what: what) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for: \(what)" }
    }

    /// Rows of `table` in the catalog's view schema, as text, for the keys in `where`.
    static func rows(
        _ catalog: ProjectionCatalog, _ table: String, columns: String = "*", where condition: PostgresQuery
    ) async throws -> [String] {
        let sql = "SELECT t::text FROM (SELECT \(columns) FROM rm.\(table) WHERE \(condition.sql)) t ORDER BY 1"
        let query = PostgresQuery(unsafeSQL: sql, binds: condition.binds)
        return try await catalog.store.client.leasedQuery(query, logger: TestDatabase.logger) { rows in
            var result: [String] = []
            for try await text in rows.decode(String.self) { result.append(text) }
            return result
        }
    }
}

/// A projection for failure tests: records each event it handles in `seen`, and throws on an event whose
/// payload says `poison` while `cure` is not set (or, with `failOnce`, on its first call only).
final class RecordingHandler: ProjectionHandler {
    let cured = Atomic<Bool>(false)
    let calls = Atomic<Int>(0)
    let failOnce: Bool

    init(failOnce: Bool = false) { self.failOnce = failOnce }

    func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        let call = calls.add(1, ordering: .relaxed).newValue
        if failOnce, call == 1 { throw Failure(description: "the first call fails") }
        for event in events {
            if event.payload["poison"] == .bool(true), !cured.load(ordering: .relaxed) {
                throw Failure(description: "poison at \(event.position)")
            }
            try await connection.execute(
                "INSERT INTO seen (position, stream_id, n) VALUES (\(event.position), \(event.streamId), \(event.payload["n"]?.intValue ?? 0))",
                logger: logger)
        }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func definition(name: String, type: String) -> ProjectionDefinition {
        ProjectionDefinition(
            name: name, version: 1, consumes: [type], tables: ["seen"],
            statements: ["CREATE TABLE seen (position bigint PRIMARY KEY, stream_id text NOT NULL, n bigint NOT NULL)"])
    }
}
