import EventStore
import Foundation
import PostgresNIO
import PromoAPI
import PromoDomain
import PromoOperations
import PromoTestSupport
import Testing

/// tools/test's second cluster (`PROMO_RESTORE_ADMIN_URL`), for restores into a new cluster.
enum SecondCluster {
    static var adminURL: DatabaseURL? {
        ProcessInfo.processInfo.environment["PROMO_RESTORE_ADMIN_URL"].flatMap { try? DatabaseURL($0) }
    }
}

@Suite("Backup and restore", .enabled(if: SecondCluster.adminURL != nil, "needs tools/test's second cluster"))
struct BackupTests {
    /// A store with the platform's schema on a new database of `admin`'s cluster, dropped after `body`.
    static func withStore<T: Sendable>(
        on admin: DatabaseURL, prefix: String, _ body: @escaping @Sendable (PostgresEventStore) async throws -> T
    ) async throws -> T {
        try await ScratchDatabase.withStore(on: admin, prefix: prefix, migrations: APIMigrations.withEventStore) {
            try await body($1)
        }
    }

    static func table(_ store: PostgresEventStore, _ query: PostgresQuery) async throws -> [String] {
        try await store.client.leasedQuery(query, logger: store.logger) { rows in
            var result: [String] = []
            for try await row in rows.decode(String.self) { result.append(row) }
            return result
        }
    }

    static func newFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("backup-\(UUID().uuidString).plb")
    }

    @Test(
        "A backup restored into a new cluster: the same events and keys, every chain verifies, positions go on above, subscribers get everything"
    )
    func roundTripIntoSecondCluster() async throws {
        let admin = try #require(SecondCluster.adminURL)
        let file = Self.newFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let (events, secret, keyRows) = try await Self.withStore(on: TestDatabase.url, prefix: "bak_src") { source in
            _ = try await ArchiveTests.seed(source)
            let key = try await ApiKeyStore(store: source).create(role: .auditor, name: "审计", actor: "tests")
            try await source.client.leasedExecute(
                "INSERT INTO customer_keys (customer_id, key) VALUES ('u-1', decode(repeat('ab', 32), 'hex'))",
                logger: source.logger)
            // A downstream subscriber half way through the log.
            try await source.client.leasedExecute(
                """
                INSERT INTO subscription_checkpoints (name, position)
                SELECT 'warehouse', position FROM events ORDER BY position OFFSET 99 LIMIT 1
                """, logger: source.logger)
            let backup = try await StoreBackup.backup(store: source, to: file, actor: "tests")
            #expect(backup.events == 160)  // the seed, and the key's creation
            #expect(backup.rows["api_keys"] == 1 && backup.rows["customer_keys"] == 1)
            #expect(backup.rows["subscription_checkpoints"] == 1)
            let sha = try ArchiveReader.sha256(of: file)
            #expect(backup.sha256 == sha)
            let recorded = try await source.readCategory("audit").compactMap {
                try? $0.decode(as: BackupRecorded.self)
            }
            #expect(recorded.map(\.sha256) == [backup.sha256])
            return (
                try await ArchiveTests.rows(source), key.secret,
                try await Self.table(source, "SELECT row_to_json(k)::text FROM api_keys k")
                    + Self.table(source, "SELECT row_to_json(k)::text FROM customer_keys k")
            )
        }
        try await Self.withStore(on: admin, prefix: "bak_dst") { target in
            let restored = try await StoreBackup.restore(store: target, from: file, actor: "tests")
            #expect(restored.events == 160)
            #expect(try await ArchiveTests.rows(target) == events)
            #expect(
                try await Self.table(target, "SELECT row_to_json(k)::text FROM api_keys k")
                    + Self.table(target, "SELECT row_to_json(k)::text FROM customer_keys k") == keyRows)
            #expect(try await ApiKeyStore(store: target).authenticate(secret: secret)?.role == .auditor)
            #expect(try await target.verifyAll().ok)

            let head = try await target.headPosition()
            let next = try await target.append(
                to: try StreamID("order-0"), expectedVersion: .any, events: [testEvent("AfterRestore")])
            #expect(next.lastPosition > head)
            var seen = Set<Int64>()
            var position: Int64 = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while !seen.contains(next.lastPosition), ContinuousClock.now < deadline {
                let batch = try await target.readCommitted(after: position, limit: 500)
                seen.formUnion(batch.map(\.position))
                position = batch.last?.position ?? position
                if batch.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(seen.count == 160 + 2)  // restored, the restore's audit event, the new append

            // The downstream subscriber goes on from its checkpoint: the 60 events it had not seen, then the new ones.
            let checkpoint = try #require(
                try await target.client.leasedValue(
                    "SELECT position FROM subscription_checkpoints WHERE name = 'warehouse'", as: Int64.self,
                    logger: target.logger))
            let rest = try await target.readAll(after: checkpoint, limit: 1_000)
            #expect(rest.count == 60 + 2)
            #expect(rest.last?.position == next.lastPosition)
        }
    }

    @Test("A backup taken while writers append is one consistent moment: every stream restores whole and verifies")
    func backupUnderWrites() async throws {
        let admin = try #require(SecondCluster.adminURL)
        let file = Self.newFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let taken = try await Self.withStore(on: TestDatabase.url, prefix: "bak_busy") { source in
            _ = try await ArchiveTests.seed(source)
            let writers = Task {
                var appended = 0
                while !Task.isCancelled {
                    let stream = try StreamID("order-busy\(appended % 5)")
                    do {
                        _ = try await source.append(
                            to: stream, expectedVersion: .any,
                            events: (0...(appended % 3)).map { _ in testEvent("Busy", ["n": .int(Int64(appended))]) })
                    } catch  where Task.isCancelled {
                        break
                    }
                    appended += 1
                }
                return appended
            }
            // Let the writers get going, back up in the middle of them, and let them go on a little after.
            try await Task.sleep(for: .milliseconds(200))
            let backup = try await StoreBackup.backup(store: source, to: file, actor: "tests")
            try await Task.sleep(for: .milliseconds(200))
            writers.cancel()
            let appends = try await writers.value
            #expect(appends > 0)
            #expect(try await source.eventCount() > Int64(backup.events), "writes went on after the snapshot")
            return backup
        }
        try await Self.withStore(on: admin, prefix: "bak_busy_dst") { target in
            let restored = try await StoreBackup.restore(store: target, from: file, actor: "tests")
            #expect(restored.events == taken.events)
            let verified = try await target.verifyAll()
            #expect(verified.ok, "\(verified.failures)")
            #expect(verified.events == taken.events + 1)  // and the restore's audit event
        }
    }

    @Test("A damaged backup, or a database that is not empty, restores nothing")
    func refusals() async throws {
        let admin = try #require(SecondCluster.adminURL)
        let file = Self.newFile()
        defer { try? FileManager.default.removeItem(at: file) }
        try await Self.withStore(on: TestDatabase.url, prefix: "bak_src") { source in
            _ = try await ArchiveTests.seed(source)
            _ = try await StoreBackup.backup(store: source, to: file, actor: "tests")
            await #expect(throws: ArchiveError.self) {
                try await StoreBackup.backup(store: source, to: file, actor: "tests")
            }
        }
        let bytes = try Data(contentsOf: file)
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x10
        for (name, damaged) in [("truncated", bytes.prefix(bytes.count - 40)), ("flipped", flipped)] {
            let copy = Self.newFile()
            defer { try? FileManager.default.removeItem(at: copy) }
            try Data(damaged).write(to: copy)
            try await Self.withStore(on: admin, prefix: "bak_bad") {
                (target: PostgresEventStore) async throws -> Void in
                await #expect(throws: ArchiveError.self, "\(name)") {
                    try await StoreBackup.restore(store: target, from: copy, actor: "tests")
                }
                #expect(try await target.eventCount() == 0, "\(name)")
                #expect(try await Self.table(target, "SELECT key_id FROM api_keys").isEmpty, "\(name)")
            }
        }
        try await Self.withStore(on: admin, prefix: "bak_full") { (target: PostgresEventStore) async throws -> Void in
            _ = try await target.append(to: try StreamID("order-x"), expectedVersion: .noStream, events: [testEvent()])
            do {
                _ = try await StoreBackup.restore(store: target, from: file, actor: "tests")
                Issue.record("restored into a store that was not empty")
            } catch let error as ArchiveError {
                #expect(error.description.contains("not empty"))
            }
            #expect(try await target.eventCount() == 1)
        }
    }
}
