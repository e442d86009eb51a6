import EventStore
import Foundation
import PostgresNIO
import PromoDomain
import PromoOperations
import PromoTestSupport
import Testing

/// LZ4 archives on databases of their own: export, verify offline, import byte for byte, and refuse what does not
/// check out without writing a row.
@Suite("LZ4 archives")
struct ArchiveTests {
    /// Runs `body` with two fresh, migrated stores (the source and the target), dropped after.
    static func withStores(
        _ body: @escaping @Sendable (PostgresEventStore, PostgresEventStore) async throws -> Void
    ) async throws {
        let migrations = EventStoreMigrations.all
        try await ScratchDatabase.withStore(on: TestDatabase.url, prefix: "archsrc", migrations: migrations) {
            _, source in
            try await ScratchDatabase.withStore(on: TestDatabase.url, prefix: "archdst", migrations: migrations) {
                _, target in
                try await body(source, target)
            }
        }
    }

    /// 159 events over 12 streams, in appends of 1 to 3 events, with text that needs escaping in JSON Lines and in
    /// COPY (tabs, quotes, backslashes, newlines, Chinese) and a stream id with `@` and Chinese in it.
    static func seed(_ store: PostgresEventStore) async throws -> [StreamID] {
        let streams = try (0..<11).map { try StreamID("order-\($0)") } + [try StreamID("stock-牛油火锅底料@成都店")]
        for round in 0..<80 {
            let stream = streams[round % streams.count]
            let events = (0...(round % 3)).map { n in
                testEvent(
                    "Happened\(n)",
                    [
                        "round": .int(Int64(round)), "note": .string("牛油\t\"辣\"\\n\n第\(round)轮"),
                        "nested": ["list": [1, "2.5", true, .null], "empty": [:]],
                    ])
            }
            _ = try await store.append(to: stream, expectedVersion: .any, events: events)
        }
        return streams
    }

    /// Every stored column of every event at positions `first...last`, as text, in position order.
    static func rows(_ store: PostgresEventStore, from first: Int64 = 0, through last: Int64 = .max) async throws
        -> [String]
    {
        try await store.client.leasedQuery(
            """
            SELECT concat_ws('|', position, stream_id, stream_version, category, event_id, event_type, schema_version,
                             payload::text, metadata::text, recorded_at, encode(hash, 'hex'), hash_format)
            FROM events WHERE position >= \(first) AND position <= \(last) AND category <> 'audit' ORDER BY position
            """, logger: store.logger
        ) { rows in
            var result: [String] = []
            for try await row in rows.decode(String.self) { result.append(row) }
            return result
        }
    }

    static func newDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("archive-\(UUID().uuidString)")
    }

    @Test(
        "Export, verify offline, import into an empty store: the same rows byte for byte, chains verify, positions go on above"
    )
    func roundTrip() async throws {
        try await Self.withStores { source, target in
            _ = try await Self.seed(source)
            let directory = Self.newDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let exported = try await ArchiveExport.run(
                store: source, from: 0, to: nil, directory: directory, segmentEvents: 50, actor: "tests")
            #expect(exported.index.events == 159)
            #expect(exported.index.segments.count == 4)
            #expect(exported.bytes < exported.uncompressedBytes)

            let checked = try await ArchiveReader(directory: directory).read()
            #expect(checked.events == 159 && checked.segments == 4 && checked.streams == 12)

            // A subscriber of the empty target that had moved its checkpoint on is set back before the archive.
            try await target.client.leasedExecute(
                "INSERT INTO subscription_checkpoints (name, position) VALUES ('early-bird', \(Int64.max / 2))",
                logger: target.logger)
            let imported = try await ArchiveImport.run(store: target, directory: directory, actor: "tests")
            #expect(imported.archive.events == 159)
            let sourceRows = try await Self.rows(source)
            #expect(sourceRows.count == 159)
            #expect(try await Self.rows(target) == sourceRows)
            #expect(try await target.verifyAll().ok)
            let checkpoint = try await target.client.leasedValue(
                "SELECT position FROM subscription_checkpoints WHERE name = 'early-bird'", as: Int64.self,
                logger: target.logger)
            #expect(checkpoint == exported.index.segments[0].firstPosition - 1)

            // New appends land above every imported event, and a subscriber from 0 reads all of them.
            let maxImported = try #require(try await target.headPosition())
            let next = try await target.append(
                to: try StreamID("order-0"), expectedVersion: .any, events: [testEvent("AfterImport")])
            #expect(next.lastPosition > maxImported)
            // (Read below the watermark, which waits for every older transaction of the cluster: other tests'.)
            var seen: [Int64] = []
            var position: Int64 = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while !seen.contains(next.lastPosition), ContinuousClock.now < deadline {
                let batch = try await target.readCommitted(after: position, limit: 100)
                seen += batch.map(\.position)
                position = batch.last?.position ?? position
                if batch.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(seen.count == 159 + 2)  // the archive, the import's audit event, the new append
            #expect(seen.contains(next.lastPosition))

            // Both the export and the import were recorded with their actor.
            for store in [source, target] {
                let audits = try await store.readCategory("audit").filter { $0.type == ArchiveRecorded.eventType }
                #expect(audits.count == 1)
                #expect(audits.first?.metadata.actor == "tests")
            }
        }
    }

    @Test("An archive of a later range continues a store that holds the earlier one, and is refused by an empty store")
    func continuation() async throws {
        try await Self.withStores { source, target in
            _ = try await Self.seed(source)
            let positions = try await Self.rows(source).map { Int64($0.split(separator: "|")[0])! }
            let middle = positions[99]
            let first = Self.newDirectory()
            let second = Self.newDirectory()
            defer {
                try? FileManager.default.removeItem(at: first)
                try? FileManager.default.removeItem(at: second)
            }
            _ = try await ArchiveExport.run(store: source, from: 0, to: middle, directory: first, actor: "tests")
            let later = try await ArchiveExport.run(
                store: source, from: middle + 1, to: positions.last, directory: second, segmentEvents: 25,
                actor: "tests")
            #expect(later.index.events == 59)
            #expect(try await ArchiveReader(directory: second).read().events == 59)

            await #expect(throws: ArchiveError.self) {
                try await ArchiveImport.run(store: target, directory: second, actor: "tests")
            }
            #expect(try await target.eventCount() == 0)

            await #expect(throws: ArchiveError.self) {
                try await ArchiveImport.run(store: target, directories: [second, first], actor: "tests")
            }
            #expect(try await target.eventCount() == 0)
            let both = try await ArchiveImport.run(store: target, directories: [first, second], actor: "tests")
            #expect(both.archive.events == 159 && both.archive.segments == 4)
            #expect(try await Self.rows(target) == Self.rows(source))
            #expect(try await target.verifyAll().ok)
        }
    }

    @Test("Corrupt, truncated, reordered or incomplete archives are refused with a clear message; nothing is imported")
    func damagedArchives() async throws {
        try await Self.withStores { source, target in
            _ = try await Self.seed(source)
            let directory = Self.newDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            _ = try await ArchiveExport.run(
                store: source, from: 0, to: nil, directory: directory, segmentEvents: 50, actor: "tests")
            let files = FileManager.default
            func damaged(_ change: (URL) throws -> Void) throws -> URL {
                let copy = Self.newDirectory()
                try files.copyItem(at: directory, to: copy)
                try change(copy)
                return copy
            }
            let segment2 = "segment-000002.lz4"
            let cases: [(String, URL)] = [
                (
                    "does not match the sha256",
                    try damaged { dir in
                        var bytes = try Data(contentsOf: dir.appendingPathComponent(segment2))
                        bytes[bytes.count / 2] ^= 0x01
                        try bytes.write(to: dir.appendingPathComponent(segment2))
                    }
                ),
                (
                    "truncated",
                    try damaged { dir in
                        let bytes = try Data(contentsOf: dir.appendingPathComponent(segment2))
                        try bytes.prefix(bytes.count - 100).write(to: dir.appendingPathComponent(segment2))
                    }
                ),
                (
                    "out of order",
                    try damaged { dir in
                        var text = try String(contentsOf: dir.appendingPathComponent("archive.json"), encoding: .utf8)
                        text = text.replacingOccurrences(of: "segment-000001", with: "segment-00000X")
                            .replacingOccurrences(of: "segment-000002", with: "segment-000001")
                            .replacingOccurrences(of: "segment-00000X", with: "segment-000002")
                        try text.write(
                            to: dir.appendingPathComponent("archive.json"), atomically: true, encoding: .utf8)
                    }
                ),
                (
                    "reordered or replaced",
                    try damaged { dir in
                        // Segments 2 and 3 swapped, each renamed to the other's place with its manifest.
                        for ext in ["lz4", "json"] {
                            let two = dir.appendingPathComponent("segment-000002.\(ext)")
                            let three = dir.appendingPathComponent("segment-000003.\(ext)")
                            let swap = dir.appendingPathComponent("swap")
                            try files.moveItem(at: two, to: swap)
                            try files.moveItem(at: three, to: two)
                            try files.moveItem(at: swap, to: three)
                        }
                    }
                ),
                (
                    "did not finish",
                    try damaged { dir in try files.removeItem(at: dir.appendingPathComponent("archive.json")) }
                ),
                (
                    "segment-000003.json is missing",
                    try damaged { dir in try files.removeItem(at: dir.appendingPathComponent("segment-000003.json")) }
                ),
            ]
            for (says, dir) in cases {
                defer { try? files.removeItem(at: dir) }
                do {
                    try await ArchiveReader(directory: dir).read()
                    Issue.record("an archive that should say '\(says)' verified")
                } catch let error as ArchiveError {
                    #expect(error.description.contains(says), "\(error.description)")
                }
                await #expect(throws: (any Error).self, "\(says)") {
                    try await ArchiveImport.run(store: target, directory: dir, actor: "tests")
                }
                #expect(try await target.eventCount() == 0, "\(says)")
            }
        }
    }

    @Test(
        "A store whose chain does not verify is not exported, and an import into a store it does not continue writes nothing"
    )
    func refusals() async throws {
        try await Self.withStores { source, target in
            let streams = try await Self.seed(source)
            let directory = Self.newDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            _ = try await ArchiveExport.run(store: source, from: 0, to: nil, directory: directory, actor: "tests")

            // The target already has events of its own: the archive does not continue it.
            _ = try await target.append(to: streams[0], expectedVersion: .noStream, events: [testEvent("Own")])
            do {
                try await ArchiveImport.run(store: target, directory: directory, actor: "tests")
                Issue.record("imported into a store the archive does not continue")
            } catch let error as ArchiveError {
                #expect(error.description.contains("empty store"), "\(error.description)")
            }
            #expect(try await target.eventCount() == 1)

            try await source.client.leasedExecute(
                "UPDATE events SET payload = '{\"round\": 999}' WHERE stream_id = 'order-3' AND stream_version = 2",
                logger: source.logger)
            let refused = Self.newDirectory()
            defer { try? FileManager.default.removeItem(at: refused) }
            do {
                _ = try await ArchiveExport.run(
                    store: source, from: 0, to: nil, directory: refused, segmentEvents: 10, actor: "tests")
                Issue.record("exported a store whose chain does not verify")
            } catch let error as ArchiveError {
                #expect(error.description.contains("order-3 version 2"), "\(error.description)")
            }
            // The segments written before the bad event are gone: no half archive is left behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: refused.path).isEmpty)
        }
    }
}
