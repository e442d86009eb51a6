import ArgumentParser
import EventStore
import Foundation
import PostgresNIO
import PromoDomain

struct EventStoreBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eventstore",
        abstract: "Appends/s against a plain-INSERT ceiling on the same database, and catch-up read throughput.",
        discussion: """
            Use an empty, migrated database of its own (tools/bench makes one): the benchmark writes a million \
            events. The ceiling is measured twice, for 1 and 32 writers: by pgbench (a plain single-row INSERT of \
            the same row, on the same database) and by the same INSERT from this process's pool. The catch-up is \
            read twice, each in a process of its own: right after seeding (rows read for the first time), then \
            again (settled). Each phase prints progress. The report goes to --output as JSON.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Seconds each write phase runs.")
    var seconds: Double = 8

    @Option(help: "Events to catch up over.")
    var catchUpEvents = 1_000_000

    @Option(help: "Events per catch-up batch.")
    var batchSize = 5_000

    @Option(help: "Where to write the JSON report.")
    var output = "bench/eventstore.json"

    @Option(help: "The pgbench to run for the baseline (default: $PROMO_PG_BIN/pgbench if set, else pgbench on PATH).")
    var pgbench: String?

    @Option(help: "pgbench's query protocol (-M): simple, extended or prepared.")
    var pgbenchProtocol = "simple"

    @Option(help: "Rounds of the three write phases per writer count; each figure is the mean over them.")
    var rounds = 2

    @Option(help: "Group-commit lanes that share the appends (PostgresEventStore.Configuration.lanes).")
    var lanes = PostgresEventStore.Configuration().lanes

    @Option(help: "Group-commit lanes the store may run at once (PostgresEventStore.Configuration.maxBatchesInFlight).")
    var batchesInFlight = PostgresEventStore.Configuration().maxBatchesInFlight

    @Flag(help: "Internal: run only the catch-up phase and print its result as JSON (a process of its own).")
    var catchUpOnly = false

    func validate() throws {
        guard ["simple", "extended", "prepared"].contains(pgbenchProtocol) else {
            throw ValidationError("--pgbench-protocol must be simple, extended or prepared")
        }
    }

    func run() async throws {
        let seconds = self.seconds, catchUpEvents = self.catchUpEvents, batchSize = self.batchSize
        if catchUpOnly {
            let result = try await database.withStore(maxConnections: 4) { store in
                try await EventStoreBench(store: store, seconds: seconds).catchUp(
                    events: catchUpEvents, batchSize: batchSize)
            }
            print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            return
        }
        let baseline = PgbenchBaseline(
            executable: pgbench ?? PgbenchBaseline.defaultExecutable(), url: try database.resolvedURL(),
            seconds: max(1, Int(seconds.rounded())), protocolMode: pgbenchProtocol)
        let rounds = self.rounds
        let configuration = PostgresEventStore.Configuration(lanes: lanes, maxBatchesInFlight: batchesInFlight)
        let writes = try await database.withStore(maxConnections: 40, configuration: configuration) { store in
            try await Migrator(client: store.client, logger: store.logger).migrate()
            let bench = EventStoreBench(store: store, seconds: seconds)
            try await bench.preparePlainTable()
            var writes: [EventStoreBench.WriteResult] = []
            for writers in [1, 32] {
                // Each phase starts from a fresh checkpoint, so no phase pays for another's WAL; the rounds
                // alternate the three, and each figure is their mean.
                var pgbench: [EventStoreBench.Phase] = [], plain: [EventStoreBench.Phase] = []
                var append: [EventStoreBench.Phase] = []
                for _ in 0..<max(1, rounds) {
                    try await bench.checkpoint()
                    let cpu = CPUTime.now()
                    let tps = try baseline.run(clients: writers, payload: EventStoreBench.payload.canonicalString)
                    let cost = CPUTime.perOperation(since: cpu, operations: Int(tps * Double(baseline.seconds)))
                    pgbench.append(.init(rate: tps, machineMicros: cost.machine, processMicros: 0))
                    try await bench.checkpoint()
                    plain.append(
                        try await bench.measure(writers: writers, label: "plain INSERT") {
                            try await bench.plainInsert()
                        })
                    try await bench.checkpoint()
                    append.append(
                        try await bench.measure(writers: writers, label: "append") { try await bench.appendOne() })
                }
                let pgbenchRate = pgbench.map(\.rate).mean, plainRate = plain.map(\.rate).mean
                let appendRate = append.map(\.rate).mean
                writes.append(
                    .init(
                        writers: writers, pgbenchInsertsPerSecond: pgbenchRate, inProcessInsertsPerSecond: plainRate,
                        appendsPerSecond: appendRate, appendsPerPgbenchInsert: appendRate / pgbenchRate,
                        appendsPerInProcessInsert: appendRate / plainRate,
                        machineMicrosPerPgbenchInsert: pgbench.machineMean,
                        machineMicrosPerInProcessInsert: plain.machineMean, machineMicrosPerAppend: append.machineMean,
                        processMicrosPerAppend: append.map(\.processMicros).mean))
            }
            return writes
        }
        // The catch-up reader runs in a process of its own, so its peak memory is the reader's alone: once right
        // after seeding (that process seeds), once more over the same rows.
        let firstRead = try runCatchUpProcess()
        let settledRead = try runCatchUpProcess()
        let settings = EventStoreBench.PgbenchSettings(
            executable: baseline.executable, protocolMode: baseline.protocolMode, seconds: baseline.seconds)
        let report = EventStoreBench.Report(
            pgbench: settings, writes: writes, catchUp: .init(firstRead: firstRead, settledRead: settledRead))
        try report.write(to: output)
        print(report.summary)
        print("report written to \(output)")
    }

    private func runCatchUpProcess() throws -> EventStoreBench.CatchUpResult {
        var arguments = [
            "bench", "eventstore", "--catch-up-only", "--catch-up-events", "\(catchUpEvents)", "--batch-size",
            "\(batchSize)",
        ]
        if let url = database.databaseURL { arguments += ["--database-url", url] }
        // Progress goes to stderr, which the child shares with this process; stdout carries the result. Not
        // Foundation's Process: its child would inherit blocked signals and ignore Ctrl-C (see ChildProcess).
        let result = try ChildProcess.run("/proc/self/exe", arguments, captureStandardError: false)
        guard result.status == 0, let line = result.output.split(separator: UInt8(ascii: "\n")).last else {
            throw ValidationError("the catch-up phase failed (exit \(result.status))")
        }
        return try JSONDecoder().decode(EventStoreBench.CatchUpResult.self, from: Data(line))
    }
}

extension [EventStoreBench.Phase] {
    /// The mean machine CPU per operation over the rounds; nil where it could not be measured.
    var machineMean: Double? {
        let known = compactMap(\.machineMicros)
        return known.count == count ? known.mean : nil
    }
}

extension [Double] {
    var mean: Double { isEmpty ? 0 : reduce(0, +) / Double(count) }
}
