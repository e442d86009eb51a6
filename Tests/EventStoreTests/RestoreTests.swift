import EventStore
import Foundation
import PostgresNIO
import PromoDomain
import PromoTestSupport
import Testing

/// tools/test starts a second, fresh cluster for this suite and names it in `PROMO_RESTORE_ADMIN_URL`, with the
/// PostgreSQL programs in `PROMO_PG_BIN`. Run against a DATABASE_URL of your own, there is no second cluster and
/// the suite does not run.
enum RestoreTarget {
    static var adminURL: DatabaseURL? {
        ProcessInfo.processInfo.environment["PROMO_RESTORE_ADMIN_URL"].flatMap { try? DatabaseURL($0) }
    }
    static var programs: String? { ProcessInfo.processInfo.environment["PROMO_PG_BIN"] }
    static var available: Bool { adminURL != nil && programs != nil }
}

@Suite(
    "Positions after pg_dump / pg_restore into a new cluster",
    .enabled(if: RestoreTarget.available, "needs tools/test's second cluster"))
struct RestoreTests {
    /// Runs a PostgreSQL program (`pg_dump`, `pg_restore`) against `url`; fails the test on a non-zero exit.
    static func run(_ program: String, _ arguments: [String], url: DatabaseURL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(RestoreTarget.programs!)/\(program)")
        process.arguments =
            [
                "--host", url.socketDirectory ?? url.host, "--port", String(url.port), "--username", url.user,
                "--dbname", url.database,
            ]
            + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(program) failed: \(output)")
    }

    /// The next transaction id of the cluster `client` is on.
    static func nextXid(_ client: PostgresClient) async throws -> Int64 {
        try await client.leasedValue(
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", as: Int64.self, logger: TestDatabase.logger)
            ?? 0
    }

    /// Delivers everything a subscription named `name` has not seen yet, up to `position`.
    static func catchUp(_ store: PostgresEventStore, name: String, to position: Int64) async throws -> [RecordedEvent] {
        let delivered = Delivered()
        let subscription = CatchUpSubscription(
            name: name, store: store, signal: WakeupSignal(),
            configuration: .init(batchSize: 4, pollInterval: .milliseconds(50))
        ) { batch, _ in delivered.add(batch) }
        let reached = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await subscription.run() }
            let reached = try await Checkpoints(store: store).waitUntil(name, reaches: position, timeout: .seconds(60))
            group.cancelAll()
            return reached
        }
        #expect(reached, "subscription \(name) reached \(position)")
        return delivered.all
    }

    @Test(
        "Restored into a fresh cluster and migrated, new events land above the old ones and every subscriber gets them")
    func dumpRestoreMigrateAppend() async throws {
        let targetAdmin = try #require(RestoreTarget.adminURL)
        let source = try await ScratchDatabase.create(on: TestDatabase.url, prefix: "restore_src")
        let target = try await ScratchDatabase.create(on: targetAdmin, prefix: "restore_dst")
        do {
            try await scenario(source: source, target: target, targetAdmin: targetAdmin)
        } catch {
            try? await source.drop()
            try? await target.drop()
            throw error
        }
        try await source.drop()
        try await target.drop()
    }

    func scenario(source: ScratchDatabase, target: ScratchDatabase, targetAdmin: DatabaseURL) async throws {
        let streams = try (1...3).map { try StreamID("order-restore\($0)") }
        let dump = FileManager.default.temporaryDirectory.appendingPathComponent("promoledger-\(UUID()).dump")
        defer { try? FileManager.default.removeItem(at: dump) }

        // The source: a store with events, and a subscriber that has seen all of them.
        let before = try await ScratchDatabase.withClient(source.url) { client in
            try await Migrator(client: client, logger: TestDatabase.logger).migrate()
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            var last: Int64 = 0
            for stream in streams {
                last = try await store.append(
                    to: stream, expectedVersion: .noStream, events: [testEvent(), testEvent()]
                ).lastPosition
            }
            #expect(try await Self.catchUp(store, name: "dashboard", to: last).count == 6)
            // The new cluster's transaction ids must start well below this one's, as after any real move.
            let targetXid = try await ScratchDatabase.withClient(targetAdmin) { try await Self.nextXid($0) }
            let burn = max(0, targetXid + 5_000 - (try await Self.nextXid(client)))
            try await client.leasedExecute(
                "DO $$ BEGIN FOR i IN 1..\(unescaped: String(burn + 1)) LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$",
                logger: TestDatabase.logger)
            return try await store.readAll(after: 0, limit: 100)
        }
        #expect(before.count == 6)

        try Self.run("pg_dump", ["--format=custom", "--file", dump.path], url: source.url)
        try Self.run("pg_restore", ["--no-owner", dump.path], url: target.url)

        try await ScratchDatabase.withClient(target.url) { client in
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            // Before migrate: the move is seen, and appends are refused rather than placed below the stored events.
            let status = try await store.positionStatus()
            #expect(status.ok == false)
            #expect(status.nextPosition <= status.maxPosition)
            let refused = await #expect(throws: EventStoreError.self) {
                try await store.append(to: streams[0], expectedVersion: .exact(2), events: [testEvent()])
            }
            #expect(refused?.code == .storeMoved)

            try await Migrator(client: client, logger: TestDatabase.logger).migrate()
            #expect(try await store.positionStatus().ok)
            #expect(try await store.movePositionsIfNeeded().moved == false, "a second run changes nothing")

            // The restored history is intact, and new appends go on from it.
            #expect(try await store.readAll(after: 0, limit: 100) == before)
            for stream in streams { #expect(try await store.verify(stream).ok) }
            var last: Int64 = 0
            for stream in streams {
                let result = try await store.append(
                    to: stream, expectedVersion: .exact(2), events: [testEvent("AfterRestore")])
                #expect(result.firstPosition > before.last!.position)
                last = result.lastPosition
            }
            let fresh = try await store.append(
                to: try StreamID("order-restore4"), expectedVersion: .noStream, events: [testEvent()])
            last = fresh.lastPosition

            // The subscriber restored with its checkpoint gets exactly the new events; a new one gets everything.
            let resumed = try await Self.catchUp(store, name: "dashboard", to: last)
            #expect(resumed.map(\.type) == ["AfterRestore", "AfterRestore", "AfterRestore", "TestHappened"])
            let everything = try await Self.catchUp(store, name: "newcomer", to: last)
            #expect(everything.count == 10)
            #expect(everything.map(\.position) == everything.map(\.position).sorted())
            #expect(Set(everything.map(\.position)).count == 10)
            for stream in streams { #expect(try await store.verify(stream).ok) }
        }
    }
}
