import EventStore
import Foundation
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Testing

/// Two `promoctl serve --role workers` processes on one database of their own (the real binary).
@Suite("Projection workers in two processes")
struct WorkerProcessTests {
    @Test("Each read model runs in exactly one; kill it and the other takes over; nothing counts twice")
    func takeover() async throws {
        let database = try await ScratchDatabase.create(on: TestDatabase.url, prefix: "workers")
        do {
            try await Self.scenario(database.url)
            try await database.drop()
        } catch {
            try? await database.drop()
            throw error
        }
    }

    static func address(_ url: DatabaseURL) -> String {
        var address = "postgres://\(url.user)@\(url.host):\(url.port)/\(url.database)"
        if let socket = url.socketDirectory { address += "?host=\(socket)" }
        return address
    }

    static func start(_ url: DatabaseURL) throws -> Process {
        let process = Process()
        process.executableURL = PromoctlBinary.url
        process.arguments = ["serve", "--role", "workers", "--database-url", address(url), "--log-level", "warning"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func scenario(_ url: DatabaseURL) async throws {
        try await ScratchDatabase.withClient(url, maxConnections: 4) { client in
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            try await Migrator(
                client: client, logger: store.logger, migrations: EventStoreMigrations.all + ProjectionMigrations.all
            ).migrate()
            let catalog = ProjectionCatalog(store: store, projections: ReadModels.platform)
            let stockLevels = try catalog.projection(named: StockLevels.name)
            var received: Int64 = 0
            func receive(_ quantity: Int) async throws -> Int64 {
                received += Int64(quantity)
                return try await store.append(
                    to: try StreamID("stock-HP-001@online"), expectedVersion: .any,
                    events: [try NewEvent(StockReceived(sku: "HP-001", location: "online", quantity: quantity))]
                ).lastPosition
            }
            func onHand() async throws -> Int64? {
                try await client.leasedValue(
                    "SELECT on_hand FROM rm.stock_levels WHERE sku = 'HP-001' AND location = 'online'", as: Int64.self,
                    logger: store.logger)
            }
            func holders() async throws -> Int64 {
                try await client.leasedValue(
                    """
                    SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = \(Int64(0x5052_4A4C))::oid
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """, as: Int64.self, logger: store.logger) ?? 0
            }

            var last: Int64 = 0
            for quantity in 1...20 { last = try await receive(quantity) }
            let first = try start(url)
            defer { if first.isRunning { first.terminate() } }
            #expect(try await catalog.waitUntil(StockLevels.name, reaches: last, timeout: .seconds(60)))
            let second = try start(url)
            defer { if second.isRunning { second.terminate() } }
            // The second process is up (it retries the lease every second) and still only one worker holds it.
            try await Task.sleep(for: .seconds(2))
            #expect(try await holders() == Int64(catalog.projections.count))
            #expect(try await catalog.status(of: stockLevels).workerRunning)
            for quantity in 1...20 { last = try await receive(quantity) }
            #expect(try await catalog.waitUntil(StockLevels.name, reaches: last, timeout: .seconds(60)))
            #expect(try await onHand() == received)

            // The first holder dies without a word (SIGKILL); the second takes over and catches up.
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
            for quantity in 1...20 { last = try await receive(quantity) }
            #expect(try await catalog.waitUntil(StockLevels.name, reaches: last, timeout: .seconds(60)))
            #expect(try await onHand() == received, "every receipt counted exactly once: 3 × 210")
            #expect(received == 630)
            #expect(try await holders() == Int64(catalog.projections.count))
            second.terminate()
            second.waitUntilExit()
            #expect(second.terminationStatus == 0, "SIGTERM stops the workers gracefully")
        }
    }
}
