import EventStore
import Foundation
import PostgresNIO
import PromoDomain
import PromoTestSupport
import Testing

/// The auditor's and operator's commands as the real binary runs them, on a database of their own.
@Suite("promoctl verify --all, replay, events tail, archive")
struct OperatorCommandTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs promoctl with `arguments` (and the database) and waits for it.
    static func promoctl(_ arguments: [String], database url: DatabaseURL?) throws -> Run {
        let process = Process()
        process.executableURL = PromoctlBinary.url
        process.arguments =
            arguments + (url.map { ["--database-url", WorkerProcessTests.address($0), "--log-level", "error"] } ?? [])
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            errors: String(decoding: err, as: UTF8.self))
    }

    /// A migrated database of its own with ArchiveTests' seed, dropped after `body`.
    static func withSeededDatabase(
        _ body: @escaping @Sendable (DatabaseURL, PostgresEventStore) async throws -> Void
    ) async throws {
        try await ScratchDatabase.withStore(on: TestDatabase.url, prefix: "opcmd", migrations: EventStoreMigrations.all)
        {
            url, store in
            _ = try await ArchiveTests.seed(store)
            try await body(url, store)
        }
    }

    @Test("verify --all passes a clean store and names the tampered stream with exit 1; both recorded with the actor")
    func verifyAll() async throws {
        try await Self.withSeededDatabase { url, store in
            let clean = try Self.promoctl(["verify", "--all", "--actor", "auditor-li"], database: url)
            #expect(clean.status == 0, "\(clean.errors)")
            #expect(clean.output.contains("ok: 12 streams, 159 events, every chain verifies"), "\(clean.output)")
            #expect(clean.errors.contains("verify: 159 events"), "progress and its last line on stderr")

            try await store.client.leasedExecute(
                "UPDATE events SET metadata = '{\"actor\": \"mallory\"}' WHERE stream_id = 'order-3' AND stream_version = 2",
                logger: store.logger)
            let tampered = try Self.promoctl(["verify", "--all", "--actor", "auditor-li"], database: url)
            #expect(tampered.status == 1)
            #expect(tampered.output.contains("BAD   order-3: version 2: the stored event does not match its hash"))
            #expect(tampered.output.contains("BAD: 1 of 13 streams do not verify"), "\(tampered.output)")

            let audits = try await store.readCategory("audit").map { try $0.decode(as: AuditChainsVerified.self) }
            #expect(audits.map(\.ok) == [true, false])
            #expect(audits.map(\.streams) == [12, 13])  // the second run also checks the audit stream itself
            let actors = try await store.readCategory("audit").map(\.metadata.actor)
            #expect(actors == ["auditor-li", "auditor-li"])
        }
    }

    @Test(
        "replay prints each event with the state after it, as the stream stood at --as-of; events tail follows in order"
    )
    func replayAndTail() async throws {
        try await Self.withSeededDatabase { url, store in
            let stream = try StreamID("stock-HP-9@online")
            for quantity in [10, 5] {
                _ = try await store.append(
                    to: stream, expectedVersion: .any,
                    events: [try NewEvent(StockReceived(sku: "HP-9", location: "online", quantity: quantity))])
            }
            let stored = try await store.storedEvents(of: stream)
            let full = try Self.promoctl(["replay", stream.rawValue], database: url)
            #expect(full.status == 0, "\(full.errors)")
            let states = full.output.split(separator: "\n").filter { $0.hasPrefix("  state") }
            #expect(states.count == 2)
            #expect(states.last?.contains(#""onHand":15"#) == true, "\(full.output)")
            #expect(full.output.contains("replayed 2 event(s) of stock-HP-9@online"))

            let asOf = RFC3339.string(micros: stored[0].recordedAtMicros)
            let then = try Self.promoctl(["replay", stream.rawValue, "--as-of", asOf], database: url)
            #expect(
                then.output.split(separator: "\n").filter { $0.hasPrefix("  state") }.last?.contains(#""onHand":10"#)
                    == true)
            #expect(then.output.contains("replayed 1 event(s)"))
            let reads = try await store.readCategory("audit").map { try $0.decode(as: AuditStreamRead.self) }
            #expect(reads.map(\.events) == [2, 1])
            #expect(reads.allSatisfy { $0.via == "promoctl replay" && $0.streamId == stream.rawValue })

            let unknown = try Self.promoctl(["replay", "order-none"], database: url)
            #expect(unknown.status != 0)
            #expect(unknown.errors.contains("has no events"), "\(unknown.errors)")

            let tail = try Self.promoctl(
                ["events", "tail", "--from-start", "--category", "order", "--limit", "5"], database: url)
            #expect(tail.status == 0, "\(tail.errors)")
            let lines = tail.output.split(separator: "\n")
            #expect(lines.count == 5)
            let positions = lines.compactMap { Int64($0.split(separator: " ").first ?? "") }
            #expect(positions == positions.sorted() && positions.count == 5)
            #expect(lines.allSatisfy { $0.contains("  order-") })
        }
    }

    @Test("events tail prints what is committed after it started, live, and stops at --limit")
    func tailFollowsLive() async throws {
        try await Self.withSeededDatabase { url, store in
            // Where the log ends now (said explicitly, so a slow start of the process cannot skip the new events).
            let head = try await store.headPosition()
            let process = Process()
            process.executableURL = PromoctlBinary.url
            process.arguments = [
                "events", "tail", "--after", String(head), "--limit", "2", "--poll-milliseconds", "20",
                "--database-url", WorkerProcessTests.address(url), "--log-level", "error",
            ]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            try await Task.sleep(for: .milliseconds(300))
            for n in 1...2 {
                _ = try await store.append(
                    to: try StreamID("order-live"), expectedVersion: .any, events: [testEvent("Live\(n)")])
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!process.isRunning, "tail did not stop after 2 events")
            let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first?.contains("order-live@v1  Live1") == true, "\(lines)")
            #expect(lines.last?.contains("order-live@v2  Live2") == true, "\(lines)")
        }
    }

    @Test("archive export, verify and import through the binary; a damaged archive exits 1 naming the file")
    func archiveCommands() async throws {
        try await Self.withSeededDatabase { url, store in
            let directory = ArchiveTests.newDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let export = try Self.promoctl(
                ["archive", "export", "--segment-events", "100", directory.path], database: url)
            #expect(export.status == 0, "\(export.errors)")
            #expect(export.output.contains("exported 159 events"), "\(export.output)")
            #expect(export.output.contains("into 2 segment(s)"))

            let verified = try Self.promoctl(["archive", "verify", directory.path], database: nil)
            #expect(verified.status == 0)
            #expect(verified.output.contains("ok: 2 segment(s), 159 events, 12 streams"), "\(verified.output)")

            let notEmpty = try Self.promoctl(["archive", "import", directory.path], database: url)
            #expect(notEmpty.status != 0)
            #expect(notEmpty.errors.contains("nothing was imported"), "\(notEmpty.errors)")

            let segment = directory.appendingPathComponent("segment-000001.lz4")
            var bytes = try Data(contentsOf: segment)
            bytes[100] ^= 0xFF
            try bytes.write(to: segment)
            let damaged = try Self.promoctl(["archive", "verify", directory.path], database: nil)
            #expect(damaged.status == 1)
            #expect(damaged.output.contains("BAD: segment-000001.lz4 does not match the sha256"), "\(damaged.output)")
        }
    }
}
