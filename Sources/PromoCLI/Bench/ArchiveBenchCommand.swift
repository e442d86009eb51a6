import ArgumentParser
import EventStore
import Foundation
import PostgresNIO
import PromoAPI
import PromoOperations

/// `promoctl bench archive`: verify --all, archive export, offline verify and import over a generated history, each
/// beside PostgreSQL's own tools on the same data in the same run (pg_dump and pg_restore of the events table).
struct ArchiveBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "verify --all, archive export / verify / import over a million generated events, vs pg_dump.",
        discussion: """
            Use an empty database of its own (tools/bench eventstore makes one). It is migrated and seeded with the \
            projections benchmark's generated history (orders of production size, their stock, budgets, points; \
            progress printed). Then: every chain verified (and, as its baseline, the same rows read in the same \
            order without hashing); the whole log exported to LZ4 segments (baseline: pg_dump -Fc of the events \
            table); the archive checked offline; the archive imported into a second new database (baseline: \
            pg_restore of the dump into a third). Databases NAME_import and NAME_pgrestore are created (and \
            dropped after) beside the one given. The report goes to --output as JSON.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Events to seed.")
    var events = 1_000_000

    @Option(help: "Events per archive segment.")
    var segmentEvents = 100_000

    @Option(help: "Where to write the JSON report.")
    var output = "bench/archive.json"

    @Option(help: "The directory with pg_dump and pg_restore (default: $PROMO_PG_BIN, else PATH).")
    var pgBin: String?

    struct Phase: Codable {
        var events: Int
        var seconds: Double
        var eventsPerSecond: Double
        /// The archive's uncompressed content (JSON Lines) per second.
        var megabytesPerSecond: Double?
    }

    struct Report: Codable {
        var benchmark = "archive"
        var seededEvents: Int
        var seedSeconds: Double
        var verifyAll: Phase
        /// The same rows in the same order, read without hashing: what verify adds on top of reading.
        var readInStreamOrder: Phase
        var export: Phase
        var exportedMB: Double
        var uncompressedMB: Double
        var compressionRatio: Double
        var segments: Int
        var archiveVerify: Phase
        var importPhase: Phase
        var pgDump: Phase
        var pgDumpMB: Double
        var pgRestore: Phase
        /// Archive export time / pg_dump time (below 1: faster than pg_dump).
        var exportPerPgDump: Double
        var importPerPgRestore: Double
    }

    func run() async throws {
        let (target, segmentEvents, output) = (events, segmentEvents, output)
        let url = try database.resolvedURL()
        let tools = pgBin ?? ProcessInfo.processInfo.environment["PROMO_PG_BIN"]
        let importName = url.database + "_import"
        let restoreName = url.database + "_pgrestore"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promoledger-archive-bench-\(UUID())")
        let dumpFile = FileManager.default.temporaryDirectory.appendingPathComponent("promoledger-bench-\(UUID()).dump")
        defer {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(at: dumpFile)
        }
        let report = try await database.withStore(maxConnections: 4) { store in
            try await Migrator(client: store.client, logger: store.logger, migrations: APIMigrations.withEventStore)
                .migrate()
            guard try await store.eventCount() == 0 else {
                throw OperatorError("the database is not empty: give the benchmark one of its own (tools/bench does)")
            }
            for name in [importName, restoreName] {
                try await store.client.leasedExecute("DROP DATABASE IF EXISTS \(unescaped: name)", logger: store.logger)
                try await store.client.leasedExecute("CREATE DATABASE \(unescaped: name)", logger: store.logger)
            }
            print("archive: seeding \(target) events …")
            let seedStart = ContinuousClock.now
            var history = SyntheticHistory()
            var shown = 0
            _ = try await history.append(to: store, events: target) { count in
                if count - shown >= target / 10 {
                    shown = count
                    print("  seeded \(count)/\(target)")
                }
            }
            let seedSeconds = (ContinuousClock.now - seedStart).seconds
            try await store.client.leasedExecute("VACUUM ANALYZE events", logger: store.logger)

            print("archive: verify --all …")
            let (summary, verifySeconds) = try await Self.timed { try await store.verifyAll() }
            guard summary.ok else { throw OperatorError("the generated history does not verify: \(summary.failures)") }
            print("  \(Self.line(summary.events, verifySeconds))")
            print("archive: the same rows read in stream order, no hashing …")
            let (read, readSeconds) = try await Self.timed { try await Self.readInStreamOrder(store) }
            print("  \(Self.line(read, readSeconds))")

            print("archive: export …")
            let (exported, exportSeconds) = try await Self.timed {
                try await ArchiveExport.run(
                    store: store, from: 0, to: nil, directory: directory, segmentEvents: segmentEvents, actor: "bench")
            }
            let uncompressedMB = Double(exported.uncompressedBytes) / 1e6
            print(
                "  \(Self.line(exported.index.events, exportSeconds)), "
                    + String(
                        format: "%.0f MB → %.0f MB (ratio %.2f)", uncompressedMB, Double(exported.bytes) / 1e6,
                        Double(exported.uncompressedBytes) / Double(exported.bytes)))
            print("archive: verify offline …")
            let (checked, checkSeconds) = try await Self.timed { try await ArchiveReader(directory: directory).read() }
            print("  \(Self.line(checked.events, checkSeconds))")

            print("archive: import into \(importName) …")
            var importURL = url
            importURL.database = importName
            let (imported, importSeconds) = try await DatabaseOptions.withStore(
                url: importURL, maxConnections: 4, logger: store.logger
            ) { target in
                try await Migrator(client: target.client, logger: target.logger, migrations: EventStoreMigrations.all)
                    .migrate()
                return try await Self.timed {
                    try await ArchiveImport.run(store: target, directory: directory, actor: "bench")
                }
            }
            print("  \(Self.line(imported.archive.events, importSeconds))")

            print("archive: pg_dump -Fc -t events …")
            let events = exported.index.events
            let dumpSeconds = try Self.runTool(
                tools, "pg_dump", ["-Fc", "-t", "events", "-f", dumpFile.path] + Self.connection(url))
            let dumpMB =
                Double((try? FileManager.default.attributesOfItem(atPath: dumpFile.path)[.size] as? Int) ?? 0) / 1e6
            print("  \(Self.line(events, dumpSeconds)), \(String(format: "%.0f MB", dumpMB))")
            print("archive: pg_restore into \(restoreName) …")
            var restoreURL = url
            restoreURL.database = restoreName
            let restoreSeconds = try Self.runTool(
                tools, "pg_restore", Self.connection(restoreURL, flag: "-d") + [dumpFile.path])
            print("  \(Self.line(events, restoreSeconds))")
            for name in [importName, restoreName] {
                try await store.client.leasedExecute("DROP DATABASE IF EXISTS \(unescaped: name)", logger: store.logger)
            }
            func phase(_ count: Int, _ seconds: Double, bytes: Double? = nil) -> Phase {
                Phase(
                    events: count, seconds: seconds, eventsPerSecond: Double(count) / seconds,
                    megabytesPerSecond: bytes.map { $0 / seconds })
            }
            return Report(
                seededEvents: history.count, seedSeconds: seedSeconds, verifyAll: phase(summary.events, verifySeconds),
                readInStreamOrder: phase(read, readSeconds),
                export: phase(events, exportSeconds, bytes: uncompressedMB), exportedMB: Double(exported.bytes) / 1e6,
                uncompressedMB: uncompressedMB,
                compressionRatio: Double(exported.uncompressedBytes) / Double(exported.bytes),
                segments: exported.index.segments.count,
                archiveVerify: phase(checked.events, checkSeconds, bytes: uncompressedMB),
                importPhase: phase(imported.archive.events, importSeconds, bytes: uncompressedMB),
                pgDump: phase(events, dumpSeconds), pgDumpMB: dumpMB, pgRestore: phase(events, restoreSeconds),
                exportPerPgDump: exportSeconds / dumpSeconds, importPerPgRestore: importSeconds / restoreSeconds)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: output).deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(report).write(to: URL(fileURLWithPath: output))
        print(
            String(
                format: "export took %.2f× pg_dump's time, import %.2f× pg_restore's; report written to %@",
                report.exportPerPgDump, report.importPerPgRestore, output))
    }

    static func line(_ events: Int, _ seconds: Double) -> String {
        String(format: "%d events in %.2f s = %.0f events/s", events, seconds, Double(events) / seconds)
    }

    static func timed<T>(_ body: () async throws -> T) async throws -> (T, Double) {
        let start = ContinuousClock.now
        let value = try await body()
        return (value, (ContinuousClock.now - start).seconds)
    }

    static func readInStreamOrder(_ store: PostgresEventStore) async throws -> Int {
        var count = 0
        var after = ("", Int64(0))
        while true {
            let page = try await store.storedEventsInStreamOrder(afterStream: after.0, version: after.1, limit: 5_000)
            count += page.count
            guard page.count == 5_000, let last = page.last else { return count }
            after = (last.streamId, last.streamVersion)
        }
    }

    static func connection(_ url: DatabaseURL, flag: String = "") -> [String] {
        ["-h", url.socketDirectory ?? url.host, "-p", "\(url.port)", "-U", url.user]
            + (flag.isEmpty ? [url.database] : [flag, url.database])
    }

    /// Runs a PostgreSQL program and returns how long it took; fails with its output when it fails.
    static func runTool(_ directory: String?, _ name: String, _ arguments: [String]) throws -> Double {
        let executable = directory.map { URL(fileURLWithPath: $0).appendingPathComponent(name).path } ?? name
        let start = ContinuousClock.now
        let result = try ChildProcess.run(executable, arguments, captureStandardError: true, timeout: .seconds(3_600))
        guard result.status == 0 else {
            throw OperatorError(
                "\(name) failed (exit \(result.status)): \(String(decoding: result.output, as: UTF8.self))")
        }
        return (ContinuousClock.now - start).seconds
    }
}
