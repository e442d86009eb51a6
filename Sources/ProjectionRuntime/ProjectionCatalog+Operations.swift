import EventStore
import Foundation
import PostgresNIO

/// A projection as `promoctl projections status` and `GET /v1/projections` show it.
public struct ProjectionStatus: Sendable, Codable, Hashable {
    public struct Rebuild: Sendable, Codable, Hashable {
        public var generation: Int
        public var version: Int
        public var position: Int64
        public var eventsDone: Int64
        public var eventsTotal: Int64
        public var status: String
    }

    public struct Parked: Sendable, Codable, Hashable {
        public var generation: Int
        public var position: Int64
        public var eventId: UUID?
        public var eventType: String?
        public var streamId: String?
        public var error: String
        public var attempts: Int
        public var parkedAt: Date
    }

    public var name: String
    /// The live generation's definition version (0 before its first start).
    public var version: Int
    public var generation: Int
    public var position: Int64
    /// Events of its types after its checkpoint (counted up to a million).
    public var lagEvents: Int64
    /// How long the oldest of those has waited, in seconds; 0 when there is none.
    public var lagSeconds: Double
    /// `running` (a worker holds it), `rebuilding` (running, with a new generation building), `failed` (stopped
    /// at a parked event), `stopped` (no process runs it), `new` (never started).
    public var status: String
    /// Whether a worker of some process holds its lease now.
    public var workerRunning: Bool
    public var rebuild: Rebuild?
    /// Parked events not yet retried or skipped.
    public var parked: [Parked]
}

extension ProjectionCatalog {
    /// Every projection's status, in definition order.
    public func status() async throws -> [ProjectionStatus] {
        var result: [ProjectionStatus] = []
        for projection in projections { result.append(try await status(of: projection)) }
        return result
    }

    public func status(of projection: Projection) async throws -> ProjectionStatus {
        let generations = try await generations(of: projection.name)
        let live = generations.first { $0.state == .live }
        let building = generations.first { $0.state == .building }
        let types = projection.definition.consumes
        let position = live?.position ?? 0
        let lag =
            try await client.leasedQuery(
                """
                SELECT (SELECT count(*) FROM (SELECT 1 FROM events WHERE position > \(position)
                          AND (\(types.isEmpty) OR event_type = ANY(\(types))) LIMIT 1000000) x),
                       coalesce((SELECT extract(epoch FROM now() - recorded_at)::float8 FROM events
                                 WHERE position > \(position) AND (\(types.isEmpty) OR event_type = ANY(\(types)))
                                 ORDER BY position LIMIT 1), 0),
                       EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                               AND classid = \(Int64(Self.leaseClass))::oid
                               AND objid = (hashtext(\(projection.name))::bigint & 4294967295)::oid AND objsubid = 2)
                """, logger: logger
            ) { rows in
                var values: [(Int64, Double, Bool)] = []
                for try await row in rows.decode((Int64, Double, Bool).self) { values.append(row) }
                return values
            }.first ?? (Int64(0), Double(0), false)
        let parked = try await parkedEvents(of: projection.name)
        let status: String
        if live == nil {
            status = "new"
        } else if live?.failed == true || building?.failed == true {
            status = "failed"
        } else if !lag.2 {
            status = "stopped"
        } else {
            status = building == nil ? "running" : "rebuilding"
        }
        return ProjectionStatus(
            name: projection.name, version: live?.version ?? 0, generation: live?.generation ?? 0,
            position: position, lagEvents: lag.0, lagSeconds: (lag.1 * 1000).rounded() / 1000, status: status,
            workerRunning: lag.2,
            rebuild: building.map {
                .init(
                    generation: $0.generation, version: $0.version, position: $0.position, eventsDone: $0.eventsDone,
                    eventsTotal: $0.eventsTotal, status: $0.failed ? "failed" : "running")
            }, parked: parked)
    }

    func parkedEvents(of name: String) async throws -> [ProjectionStatus.Parked] {
        try await client.leasedQuery(
            """
            SELECT generation, position, event_id, event_type, stream_id, error, attempts, parked_at
            FROM projection_parked WHERE name = \(name) AND resolution IS NULL ORDER BY generation, position
            """, logger: logger
        ) { rows in
            var parked: [ProjectionStatus.Parked] = []
            for try await (generation, position, eventId, type, streamId, error, attempts, at) in rows.decode(
                (Int32, Int64, UUID?, String?, String?, String, Int32, Date).self)
            {
                parked.append(
                    .init(
                        generation: Int(generation), position: position, eventId: eventId, eventType: type,
                        streamId: streamId, error: error, attempts: Int(attempts), parkedAt: at))
            }
            return parked
        }
    }

    /// Starts a rebuild of `name` beside the live generation (its worker builds it and switches readers over
    /// when it has caught up); returns the building generation, the one already building if there is one.
    @discardableResult
    public func requestRebuild(_ name: String) async throws -> Generation {
        let projection = try projection(named: name)
        return try await client.withOpenConnection { connection in
            let live = try await generations(of: name, on: connection).first { $0.state == .live }
            // Never started: the first generation is built live, from position 0, by the worker.
            return try await createGeneration(of: projection, state: live == nil ? .live : .building, on: connection)
        }
    }

    /// Lets a failed projection try its parked event again (after the cause was fixed); returns how many
    /// parked events were released.
    @discardableResult
    public func retry(_ name: String) async throws -> Int {
        _ = try projection(named: name)
        let released = try await parkedEvents(of: name).count
        guard released > 0 else { throw ProjectionError.nothingParked(name) }
        try await client.withOpenTransaction(logger: logger) { connection in
            try await connection.execute(
                """
                UPDATE projection_parked SET resolution = 'retried', resolved_at = now()
                WHERE name = \(name) AND resolution IS NULL
                """, logger: logger)
            try await connection.execute(
                """
                UPDATE projection_generations SET status = 'running', updated_at = now()
                WHERE name = \(name) AND status = 'failed'
                """, logger: logger)
        }
        return released
    }

    /// Moves a failed projection past its parked event(s) without handling them; returns the positions skipped.
    @discardableResult
    public func skip(_ name: String) async throws -> [Int64] {
        _ = try projection(named: name)
        let parked = try await parkedEvents(of: name)
        guard !parked.isEmpty else { throw ProjectionError.nothingParked(name) }
        try await client.withOpenTransaction(logger: logger) { connection in
            for event in parked {
                try await connection.execute(
                    """
                    UPDATE projection_generations
                    SET position = greatest(position, \(event.position)), status = 'running', updated_at = now()
                    WHERE name = \(name) AND generation = \(Int32(event.generation))
                    """, logger: logger)
                try await connection.execute(
                    """
                    UPDATE projection_parked SET resolution = 'skipped', resolved_at = now()
                    WHERE name = \(name) AND generation = \(Int32(event.generation)) AND position = \(event.position)
                    """, logger: logger)
            }
        }
        return parked.map(\.position)
    }

    /// The checkpoint of the live generation of `name`; nil before its first generation (no tables yet).
    public func livePosition(of name: String) async throws -> Int64? {
        try await client.leasedValue(
            "SELECT position FROM projection_generations WHERE name = \(name) AND state = 'live'", as: Int64.self,
            logger: logger)
    }

    /// Waits until the live generation of `name` has handled everything up to `position` (read your own
    /// writes); false after `timeout`.
    public func waitUntil(_ name: String, reaches position: Int64, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let live = try await livePosition(of: name), live >= position { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
