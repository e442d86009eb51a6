import EventStore
import Foundation
import PostgresNIO
import PromoDomain

/// The event store benchmark: appends against the plain-INSERT ceiling, and catch-up reads.
struct EventStoreBench: Sendable {
    let store: PostgresEventStore
    let seconds: Double

    struct WriteResult: Codable {
        var writers: Int
        var plainInsertsPerSecond: Double
        var appendsPerSecond: Double
        /// appends / plain inserts; the target is ≥ 0.8 at 32 writers.
        var ratio: Double
    }

    struct CatchUpResult: Codable {
        var events: Int
        var seconds: Double
        var eventsPerSecond: Double
        var batchSize: Int
        var peakResidentMB: Double
    }

    struct Report: Codable {
        var benchmark = "eventstore"
        var writes: [WriteResult]
        var catchUp: CatchUpResult
        var targets = ["appendRatioAt32Writers": 0.8, "catchUpEventsPerSecond": 100_000, "catchUpPeakResidentMB": 100]

        var summary: String {
            var lines = ["writers  plain INSERT/s  append/s  ratio"]
            for w in writes {
                lines.append(
                    "\(String(w.writers).padding(toLength: 7, withPad: " ", startingAt: 0))  "
                        + "\(String(format: "%14.0f", w.plainInsertsPerSecond))  \(String(format: "%8.0f", w.appendsPerSecond))  "
                        + String(format: "%.2f", w.ratio))
            }
            lines.append(
                "catch-up: \(catchUp.events) events in \(String(format: "%.2f", catchUp.seconds)) s = "
                    + "\(String(format: "%.0f", catchUp.eventsPerSecond)) events/s, peak RSS \(String(format: "%.1f", catchUp.peakResidentMB)) MB")
            return lines.joined(separator: "\n")
        }

        func write(to path: String) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(self).write(to: url)
        }
    }

    static let payload = try! JSONValue(encoding: StockReceived(sku: "HP-001", location: "online", quantity: 12))
    static let metadata = EventMetadata(correlationId: "bench", actor: "bench", channel: "online")

    /// A table of the events table's row shape and indexes, without the store's logic: the ceiling appends are
    /// held to. Its position is a plain identity column.
    func preparePlainTable() async throws {
        try await store.client.query("DROP TABLE IF EXISTS bench_plain_events", logger: store.logger)
        try await store.client.query(
            """
            CREATE TABLE bench_plain_events (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream_id text NOT NULL,
                stream_version bigint NOT NULL, category text NOT NULL, event_id uuid NOT NULL UNIQUE,
                event_type text NOT NULL, schema_version integer NOT NULL, payload jsonb NOT NULL,
                metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL, hash bytea NOT NULL,
                UNIQUE (stream_id, stream_version))
            """, logger: store.logger)
        try await store.client.query(
            "CREATE INDEX bench_plain_category ON bench_plain_events (category, position)", logger: store.logger)
    }

    func plainInsert() async throws {
        let stream = "bench-\(UUID().uuidString)"
        let payload = Self.payload.canonicalString
        try await store.client.query(
            """
            INSERT INTO bench_plain_events (stream_id, stream_version, category, event_id, event_type, schema_version,
                                            payload, metadata, recorded_at, hash)
            VALUES (\(stream), 1, 'bench', \(UUID()), 'StockReceived', 1, \(payload)::jsonb,
                    '{"actor":"bench","channel":"online","correlationId":"bench"}'::jsonb, clock_timestamp(),
                    sha256(convert_to(\(payload), 'UTF8')))
            """, logger: store.logger)
    }

    func appendOne() async throws {
        let event = NewEvent(type: StockReceived.eventType, payload: Self.payload, metadata: Self.metadata)
        _ = try await store.append(to: try StreamID("bench-\(UUID().uuidString)"), expectedVersion: .noStream, events: [event])
    }

    /// Runs `operation` from `writers` concurrent tasks for `seconds`; returns operations per second.
    func measure(writers: Int, label: String, _ operation: @escaping @Sendable () async throws -> Void) async throws -> Double {
        print("\(label): \(writers) writer(s) for \(seconds) s …")
        // Warm the pool so connection set-up is not measured.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writers { group.addTask { try await operation() } }
            try await group.waitForAll()
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let start = ContinuousClock.now
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
        let rate = Double(count) / elapsed.seconds
        print("  \(count) in \(String(format: "%.2f", elapsed.seconds)) s = \(String(format: "%.0f", rate))/s")
        return rate
    }

    /// Fills the store to `events` with a bulk insert, then reads it all through the subscription read path.
    func catchUp(events: Int, batchSize: Int) async throws -> CatchUpResult {
        let existing = try await store.eventCount()
        if existing < Int64(events) {
            let missing = Int64(events) - existing
            progress("catch-up: seeding \(missing) events …")
            var seeded: Int64 = 0
            while seeded < missing {
                // One transaction per chunk: positions are the transaction id << 16 plus the index, as appends make them.
                let chunk = min(50_000, missing - seeded)
                try await store.client.query(
                    """
                    INSERT INTO events (position, stream_id, stream_version, category, event_id, event_type,
                                        schema_version, payload, metadata, recorded_at, hash)
                    SELECT (pg_current_xact_id()::text::bigint << 16) + g, 'seed-' || ((\(seeded) + g) / 100),
                           (\(seeded) + g) % 100 + 1, 'seed', gen_random_uuid(), 'StockReceived', 1,
                           jsonb_build_object('sku', 'HP-001', 'location', 'online', 'quantity', g % 50),
                           '{"actor":"bench"}'::jsonb, clock_timestamp(), '\\x00'::bytea
                    FROM generate_series(0, \(chunk - 1)) AS g
                    """, logger: store.logger)
                seeded += chunk
                progress("  seeded \(seeded)/\(missing)")
            }
        }
        let head = try await store.eventCount()
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
            events: read, seconds: elapsed, eventsPerSecond: Double(read) / elapsed, batchSize: batchSize,
            peakResidentMB: ProcessMemory.peakResidentMB())
    }
}

/// Progress for people, on stderr: stdout of the catch-up process carries its JSON result.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
