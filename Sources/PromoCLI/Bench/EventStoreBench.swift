import EventStore
import Foundation
import PostgresNIO
import PromoDomain

/// The event store benchmark: appends against the plain-INSERT ceiling (pgbench's and in-process), and catch-up
/// reads.
struct EventStoreBench: Sendable {
    let store: PostgresEventStore
    let seconds: Double

    struct WriteResult: Codable {
        var writers: Int
        /// pgbench (`writers` clients) doing a plain single-row INSERT of the same row: PostgreSQL's own client.
        var pgbenchInsertsPerSecond: Double
        /// The same INSERT issued from this process through the store's connection pool.
        var inProcessInsertsPerSecond: Double
        var appendsPerSecond: Double
        /// appends / pgbench's inserts; the target is ≥ 1.0 at 32 writers (aim: 2.0).
        var appendsPerPgbenchInsert: Double
        /// appends / in-process inserts (the ratio reported before the pgbench baseline existed).
        var appendsPerInProcessInsert: Double
        /// CPU microseconds the whole machine (database, this process, pgbench) spent per pgbench transaction, per
        /// in-process INSERT and per append; nil where /proc/stat cannot be read.
        var machineMicrosPerPgbenchInsert: Double?
        var machineMicrosPerInProcessInsert: Double?
        var machineMicrosPerAppend: Double?
        /// Of that, this process's share per append (the store's client side and the writers).
        var processMicrosPerAppend: Double
    }

    /// A measured write phase: operations per second and CPU per operation.
    struct Phase {
        var rate: Double
        var machineMicros: Double?
        var processMicros: Double
    }

    struct CatchUpResult: Codable {
        /// Events this process inserted before reading: the whole store on a fresh database (its rows are then read
        /// for the first time), 0 when they were there already.
        var seededEvents: Int
        var events: Int
        var seconds: Double
        var eventsPerSecond: Double
        var batchSize: Int
        var peakResidentMB: Double
    }

    struct CatchUp: Codable {
        /// The read right after seeding, in the process that seeded: rows read for the first time.
        var firstRead: CatchUpResult
        /// A second read of the same rows, in a process of its own.
        var settledRead: CatchUpResult
    }

    struct PgbenchSettings: Codable {
        var executable: String
        var protocolMode: String
        var seconds: Int
    }

    struct Report: Codable {
        var benchmark = "eventstore"
        var pgbench: PgbenchSettings
        var writes: [WriteResult]
        var catchUp: CatchUp
        var targets = [
            "appendsPerPgbenchInsertAt32Writers": 1.0, "appendsPerPgbenchInsertAt32WritersAim": 2.0,
            "appendsPerInProcessInsertAt32Writers": 0.8, "catchUpFirstReadEventsPerSecond": 100_000,
            "catchUpSettledReadEventsPerSecond": 100_000, "catchUpPeakResidentMB": 100,
        ]

        var summary: String {
            var lines = [
                "writers  pgbench INSERT tx/s  in-process INSERT/s  appends/s  appends/pgbench  appends/in-process"
                    + "  CPU µs: per pgbench tx  per append (this process)"
            ]
            for w in writes {
                let rates = String(
                    format: "  %19.0f  %19.0f  %9.0f", w.pgbenchInsertsPerSecond, w.inProcessInsertsPerSecond,
                    w.appendsPerSecond)
                let ratios = String(format: "  %15.2f  %18.2f", w.appendsPerPgbenchInsert, w.appendsPerInProcessInsert)
                let cpu = String(
                    format: "  %22.0f  %9.0f (%.0f)", w.machineMicrosPerPgbenchInsert ?? .nan,
                    w.machineMicrosPerAppend ?? .nan, w.processMicrosPerAppend)
                lines.append(String(w.writers).padding(toLength: 7, withPad: " ", startingAt: 0) + rates + ratios + cpu)
            }
            lines.append("(pgbench -M \(pgbench.protocolMode), \(pgbench.seconds) s per run: \(pgbench.executable))")
            let reads = [("first read (fresh rows)", catchUp.firstRead), ("settled read", catchUp.settledRead)]
            for (label, read) in reads {
                lines.append(
                    "catch-up, \(label): \(read.events) events in \(String(format: "%.2f", read.seconds)) s = "
                        + "\(String(format: "%.0f", read.eventsPerSecond)) events/s, "
                        + "peak RSS \(String(format: "%.1f", read.peakResidentMB)) MB")
            }
            return lines.joined(separator: "\n")
        }

        func write(to path: String) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(self).write(to: url)
        }
    }

    static let payload = try! JSONValue(encoding: StockReceived(sku: "HP-001", location: "online", quantity: 12))
    static let metadata = EventMetadata(correlationId: "bench", actor: "bench", channel: "online")

    /// A table of the events table's row shape and indexes, without the store's logic: the ceiling appends are
    /// held to, written by `plainInsert` and by pgbench (`PgbenchBaseline`). Its position is a plain identity column.
    func preparePlainTable() async throws {
        try await store.client.leasedExecute("DROP TABLE IF EXISTS bench_plain_events", logger: store.logger)
        try await store.client.leasedExecute(
            """
            CREATE TABLE bench_plain_events (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream_id text NOT NULL,
                stream_version bigint NOT NULL, category text NOT NULL, event_id uuid NOT NULL UNIQUE,
                event_type text NOT NULL, schema_version integer NOT NULL, payload jsonb NOT NULL,
                metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL, hash bytea NOT NULL,
                UNIQUE (stream_id, stream_version))
            """, logger: store.logger)
        try await store.client.leasedExecute(
            "CREATE INDEX bench_plain_category ON bench_plain_events (category, position)", logger: store.logger)
    }

    /// A checkpoint, so the next phase does not pay for the WAL the previous one wrote (needs a superuser or
    /// pg_checkpoint, as in the private cluster tools/bench starts; elsewhere it is skipped).
    func checkpoint() async throws {
        do {
            try await store.client.leasedExecute("CHECKPOINT", logger: store.logger)
        } catch {
            progress("(no CHECKPOINT before the phase: \(String(describing: error)))")
        }
    }

    func plainInsert() async throws {
        let stream = "bench-\(UUID.random().uuidString)"
        let payload = Self.payload.canonicalString
        try await store.client.leasedExecute(
            """
            INSERT INTO bench_plain_events (stream_id, stream_version, category, event_id, event_type, schema_version,
                                            payload, metadata, recorded_at, hash)
            VALUES (\(stream), 1, 'bench', \(UUID.random()), 'StockReceived', 1, \(payload)::jsonb,
                    '{"actor":"bench","channel":"online","correlationId":"bench"}'::jsonb, clock_timestamp(),
                    sha256(convert_to(\(payload), 'UTF8')))
            """, logger: store.logger)
    }

    func appendOne() async throws {
        let event = NewEvent(type: StockReceived.eventType, payload: Self.payload, metadata: Self.metadata)
        _ = try await store.append(
            to: try StreamID("bench-\(UUID.random().uuidString)"), expectedVersion: .noStream, events: [event])
    }

    /// Runs `operation` from `writers` concurrent tasks for `seconds`; returns operations per second and the CPU
    /// they cost.
    func measure(writers: Int, label: String, _ operation: @escaping @Sendable () async throws -> Void) async throws
        -> Phase
    {
        print("\(label): \(writers) writer(s) for \(seconds) s …")
        // Warm the pool so connection set-up is not measured.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writers { group.addTask { try await operation() } }
            try await group.waitForAll()
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let start = ContinuousClock.now
        let cpu = CPUTime.now()
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < deadline {
                        try await operation()
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - start
        let cost = CPUTime.perOperation(since: cpu, operations: count)
        let rate = Double(count) / elapsed.seconds
        print("  \(count) in \(String(format: "%.2f", elapsed.seconds)) s = \(String(format: "%.0f", rate))/s")
        return Phase(rate: rate, machineMicros: cost.machine, processMicros: cost.process)
    }

    /// Fills the store to `events` with a bulk insert, then reads it all through the subscription read path.
    /// On a fresh database the read is the first one over the seeded rows; run it again (another process) for a
    /// settled read.
    func catchUp(events: Int, batchSize: Int) async throws -> CatchUpResult {
        let existing = try await store.eventCount()
        var seeded: Int64 = 0
        if existing < Int64(events) {
            let missing = Int64(events) - existing
            progress("catch-up: seeding \(missing) events …")
            while seeded < missing {
                // One transaction per chunk: positions are the store's position base plus the index, as appends
                // make them.
                let chunk = min(50_000, missing - seeded)
                try await store.client.leasedExecute(
                    """
                    INSERT INTO events (position, stream_id, stream_version, category, event_id, event_type,
                                        schema_version, payload, metadata, recorded_at, hash)
                    SELECT promo_position_base() + g, 'seed-' || ((\(seeded) + g) / 100),
                           (\(seeded) + g) % 100 + 1, 'seed', gen_random_uuid(), 'StockReceived', 1,
                           jsonb_build_object('sku', 'HP-001', 'location', 'online', 'quantity', g % 50),
                           '{"actor":"bench"}'::jsonb, clock_timestamp(), '\\x00'::bytea
                    FROM generate_series(0, \(chunk - 1)) AS g
                    """, logger: store.logger)
                seeded += chunk
                progress("  seeded \(seeded)/\(missing)")
            }
        }
        // Not counted again: a count(*) would visit every fresh row before the read does.
        let head = existing + seeded
        progress("catch-up: reading \(head) events in batches of \(batchSize) …")
        let start = ContinuousClock.now
        var position: Int64 = 0
        var read = 0
        var nextReport = 200_000
        while true {
            let batch = try await store.readCommitted(after: position, limit: batchSize)
            guard let last = batch.last else { break }
            read += batch.count
            position = last.position
            if read >= nextReport {
                progress("  read \(read)/\(head)")
                nextReport += 200_000
            }
        }
        let elapsed = (ContinuousClock.now - start).seconds
        return CatchUpResult(
            seededEvents: Int(seeded), events: read, seconds: elapsed, eventsPerSecond: Double(read) / elapsed,
            batchSize: batchSize, peakResidentMB: ProcessMemory.peakResidentMB())
    }
}

/// Progress for people, on stderr: stdout of the catch-up process carries its JSON result.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
