import EventStore
import Foundation
import Logging
import PostgresNIO
import PromoDomain
import ServiceLifecycle

/// Runs one projection whenever this process holds its lease.
///
/// **Exactly one runner.** The lease is a session-level advisory lock taken on one pooled connection, and every
/// batch runs in a transaction on that same connection: a batch cannot run without the lease, and when the
/// process dies its session ends, the lock goes, and a worker of another process that retries every
/// ``Configuration/leaseRetry`` takes over. Each batch also reads its checkpoint `FOR UPDATE` inside its
/// transaction, so an operator's skip or retry is seen at once.
///
/// **Batches.** A batch reads the projection's events after the checkpoint and below the store's watermark
/// (never past an event that may still commit at a lower position), applies them, and moves the checkpoint,
/// all in one transaction. A short batch moves the checkpoint up to the watermark, so a projection whose
/// types are rare is still caught up.
///
/// **Errors.** A lost connection or an unavailable database ends the lease; the worker backs off and tries
/// again; a worker whose connection closed under it stops waiting for it
/// (``PostgresConnection/abandoningWhenClosed(grace:_:)``). A serialization failure, deadlock or lock timeout
/// is retried with backoff. Any other failure (the handler threw, an event cannot be read) rolls the batch back and halves it; a single event that fails
/// ``Configuration/maxAttempts`` times is parked (`projection_parked`, with the error) and the generation
/// stops there with status `failed`, while every other projection keeps running, until an operator runs
/// `promoctl projections retry|skip NAME`.
///
/// **Rebuilds.** A `building` generation is built from position 0 in larger batches between the live one's
/// batches, and switched to (``ProjectionCatalog/switchOver(_:on:)``) once it has caught up with it.
public struct ProjectionWorker: Sendable {
    public struct Configuration: Sendable {
        /// How often a worker without the lease tries to take it.
        public var leaseRetry: Duration = .seconds(1)
        /// How long to wait for an append's notification before reading again anyway.
        public var pollInterval: Duration = .milliseconds(500)
        /// Failures of a single event before it is parked.
        public var maxAttempts: Int = 3
        /// The first backoff after a failure; it doubles up to ``maxBackoff``.
        public var backoff: Duration = .milliseconds(50)
        public var maxBackoff: Duration = .seconds(5)

        public init() {}
    }

    public let catalog: ProjectionCatalog
    public let projection: Projection
    public let signal: WakeupSignal?
    public let configuration: Configuration
    /// The payload members the projection's definition omits, read once.
    let omitted: JSONPaths

    public init(
        catalog: ProjectionCatalog, projection: Projection, signal: WakeupSignal?,
        configuration: Configuration = Configuration()
    ) {
        self.catalog = catalog
        self.projection = projection
        self.signal = signal
        self.configuration = configuration
        self.omitted = JSONPaths(dotted: projection.definition.omits)
    }

    var logger: Logger {
        var logger = catalog.logger
        logger[metadataKey: "projection.name"] = "\(projection.name)"
        return logger
    }

    /// Takes the lease whenever it is free and follows the log; returns only when the task is cancelled.
    /// `until` (for a one-off rebuild by `promoctl`) ends the run once it returns true after a step.
    public func run(until done: (@Sendable ([ProjectionCatalog.Generation]) -> Bool)? = nil) async {
        var failures = 0
        while !Task.isCancelled {
            let started = ContinuousClock.now
            do {
                let outcome = try await catalog.client.withOpenConnection { connection in
                    try await connection.abandoningWhenClosed {
                        try await holdingLease(on: connection) { try await follow(on: connection, until: done) }
                    }
                }
                switch outcome {
                case .finished: return
                case .notHeld: try await Task.sleep(for: configuration.leaseRetry)
                }
                failures = 0
            } catch {
                if Task.isCancelled { return }
                // A worker that ran for a while before this failure starts its backoff over.
                if ContinuousClock.now - started > configuration.maxBackoff * 2 { failures = 0 }
                failures += 1
                logger.warning(
                    "projection worker stopped on an error; it takes the lease again after a pause",
                    metadata: ["error": "\(String(reflecting: error))", "projection.failures": "\(failures)"])
                try? await Task.sleep(for: backoff(after: failures))
            }
        }
    }

    enum LeaseOutcome { case notHeld, finished }

    private func holdingLease(
        on connection: PostgresConnection, _ body: () async throws -> Void
    ) async throws -> LeaseOutcome {
        let held =
            try await connection.query(
                "SELECT pg_try_advisory_lock(\(ProjectionCatalog.leaseClass), hashtext(\(projection.name)))",
                logger: logger
            ).collect().first?.decode(Bool.self) ?? false
        guard held else { return .notHeld }
        logger.info("projection lease taken")
        do {
            try await body()
        } catch {
            // The connection goes back to the pool: it must not keep the lease. When the session ended, the
            // server dropped the lock with it (and nothing more may be sent on the connection).
            if !connection.isClosed, PostgresConnection.sessionSurvives(error) {
                try? await connection.execute(
                    "SELECT pg_advisory_unlock(\(ProjectionCatalog.leaseClass), hashtext(\(projection.name)))",
                    logger: logger)
            }
            // A connection whose session ended is closed, or the pool would lend it out again and the next query
            // on it would wait forever.
            connection.closeIfSessionEnded(by: error)
            throw error
        }
        try await connection.execute(
            "SELECT pg_advisory_unlock(\(ProjectionCatalog.leaseClass), hashtext(\(projection.name)))", logger: logger)
        return .finished
    }

    /// Per generation: how far a failing batch has been narrowed, and how often a single event has failed.
    struct Narrowing {
        var checkpoint: Int64
        var limit: Int
        var attempts: Int
    }

    private func follow(
        on connection: PostgresConnection, until done: (@Sendable ([ProjectionCatalog.Generation]) -> Bool)?
    ) async throws {
        try await prepare(on: connection)
        var narrowing: [Int: Narrowing] = [:]
        while !Task.isCancelled {
            let seen = await signal?.current
            let generations = try await catalog.generations(of: projection.name, on: connection)
            if let done, done(generations) { return }
            var busy = false
            for generation in generations.sorted(by: { $0.state == .live && $1.state != .live })
            where !generation.failed {
                let step = try await step(generation, narrowing: &narrowing, on: connection)
                busy = busy || step.handled > 0 || step.failed
                if generation.state == .building, step.caughtUp,
                    try await catalog.switchOver(projection, on: connection)
                {
                    busy = true
                }
            }
            if !busy {
                if let signal, let seen {
                    await signal.wait(after: seen, timeout: configuration.pollInterval)
                } else {
                    try await Task.sleep(for: configuration.pollInterval)
                }
            }
        }
        throw CancellationError()
    }

    /// The first generation when there is none; a rebuild when the definition's version is newer than the
    /// live one's (a bumped `Projections/sql/NAME.vN.sql`).
    private func prepare(on connection: PostgresConnection) async throws {
        let generations = try await catalog.generations(of: projection.name, on: connection)
        guard let live = generations.first(where: { $0.state == .live }) else {
            try await catalog.createGeneration(of: projection, state: .live, on: connection)
            return
        }
        if live.version < projection.definition.version, !generations.contains(where: { $0.state == .building }) {
            logger.info(
                "projection definition is newer than the live generation: rebuilding beside it",
                metadata: [
                    "projection.liveVersion": "\(live.version)",
                    "projection.version": "\(projection.definition.version)",
                ])
            try await catalog.createGeneration(of: projection, state: .building, on: connection)
        }
    }

    struct Step {
        var handled = 0
        var caughtUp = false
        var failed = false
        /// The generation's checkpoint after the step.
        var checkpoint: Int64 = 0
    }

    private func step(
        _ generation: ProjectionCatalog.Generation, narrowing: inout [Int: Narrowing], on connection: PostgresConnection
    ) async throws -> Step {
        let normal = generation.state == .live ? projection.batchSize : projection.rebuildBatchSize
        var current = narrowing[generation.generation]
        if let narrowed = current, narrowed.checkpoint != generation.position {
            current = nil  // it moved on (a smaller batch succeeded, or an operator skipped)
            narrowing[generation.generation] = nil
        }
        let limit = current?.limit ?? normal
        do {
            let step = try await batch(generation, limit: limit, on: connection)
            if current != nil {
                // What was read went through: widen again, from the new checkpoint, up to the normal size.
                let wider = min(normal, limit * 2)
                narrowing[generation.generation] =
                    wider >= normal || step.caughtUp
                    ? nil : Narrowing(checkpoint: step.checkpoint, limit: wider, attempts: 0)
            }
            return step
        } catch {
            switch Self.kind(of: error) {
            case .cancelled, .connection:
                throw error
            case .transient:
                logger.info("projection batch retried", metadata: ["error": "\(String(reflecting: error))"])
                try await Task.sleep(for: configuration.backoff)
                return Step(failed: true)
            case .handler:
                var next = current ?? Narrowing(checkpoint: generation.position, limit: normal, attempts: 0)
                next.checkpoint = generation.position
                if next.limit > 1 {
                    next.limit = max(1, next.limit / 2)
                } else {
                    next.attempts += 1
                }
                logger.warning(
                    "projection batch failed; retrying it smaller",
                    metadata: [
                        "error": "\(String(reflecting: error))", "projection.position": "\(generation.position)",
                        "projection.limit": "\(next.limit)", "projection.attempts": "\(next.attempts)",
                    ])
                if next.limit == 1, next.attempts >= configuration.maxAttempts {
                    try await park(generation, error: error, attempts: next.attempts, on: connection)
                    narrowing[generation.generation] = nil
                } else {
                    narrowing[generation.generation] = next
                    try await Task.sleep(for: backoff(after: max(1, next.attempts)))
                }
                return Step(failed: true)
            }
        }
    }

    /// One batch of `generation` in one transaction: checkpoint, events, the handler's writes, new checkpoint.
    private func batch(
        _ generation: ProjectionCatalog.Generation, limit: Int, on connection: PostgresConnection
    ) async throws -> Step {
        let types = projection.definition.consumes.isEmpty ? nil : projection.definition.consumes
        return try await connection.inTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT position, status FROM projection_generations
                WHERE name = \(projection.name) AND generation = \(Int32(generation.generation)) AND state <> 'retired'
                FOR UPDATE
                """, logger: logger
            ).collect()
            guard let row = rows.first else { return Step(checkpoint: generation.position) }
            let (checkpoint, status) = try row.decode((Int64, String).self)
            guard status == "running" else { return Step(checkpoint: checkpoint) }
            let watermark = try await catalog.store.watermark(on: connection)
            let events = try await catalog.store.readCommitted(
                after: checkpoint, below: watermark, types: types,
                omitting: omitted, unread: projection.definition.unread, limit: limit,
                on: connection)
            let short = events.count < limit
            let next = short ? max(events.last?.position ?? checkpoint, watermark - 1) : events.last!.position
            if !events.isEmpty {
                try await connection.execute(Self.handlerSettings(schema: generation.schema), logger: logger)
                try await projection.handler.apply(events, on: connection, logger: logger)
                try await connection.execute(Self.defaultSettings, logger: logger)
            }
            if next > checkpoint {
                try await connection.execute(
                    """
                    UPDATE projection_generations
                    SET position = \(next), events_done = events_done + \(Int64(events.count)),
                        last_event_at = coalesce(\(events.last?.recordedAt), last_event_at), updated_at = now()
                    WHERE name = \(projection.name) AND generation = \(Int32(generation.generation))
                    """, logger: logger)
            }
            if !events.isEmpty {
                // Delivered at commit, when these writes are visible: live pages refresh (ReadModelFeed).
                try await connection.execute(
                    "SELECT pg_notify(\(ReadModelFeed.channel), \(projection.name))", logger: logger)
            }
            return Step(handled: events.count, caughtUp: short, failed: false, checkpoint: max(next, checkpoint))
        }
    }

    /// What a handler's statements run with: the generation's schema first on the search path, and plans that
    /// find rows through their keys whatever the statistics say.
    ///
    /// A handler reads and writes rows by key (an order, a customer, a SKU): an index probe per row is the plan
    /// for it at any size. But a generation's tables grow from empty faster than autovacuum analyses them, and
    /// without statistics the planner takes `order_id = ANY(a few hundred ids)` to match most of the table: it
    /// scanned the table whole, or hashed all of it, for every batch. In a rebuild of the eight read models over
    /// a million events: 79 sequential scans of `campaign_orders` (6.3 million rows read) and 68 of
    /// `sales_orders` (5.3 million), a cost growing with the square of the history. Joins are nested loops over
    /// the keys; aggregation still hashes.
    public static func handlerSettings(schema: String) -> PostgresQuery {
        """
        SELECT set_config('search_path', \(schema + ", public"), true), set_config('enable_seqscan', 'off', true),
               set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)
        """
    }

    /// The session's search path again for the checkpoint's statements; the planner settings end with the
    /// transaction (what follows is a keyed update and a notification).
    static let defaultSettings: PostgresQuery = "SET LOCAL search_path TO DEFAULT"

    /// Records the event after the checkpoint as parked and stops the generation there.
    private func park(
        _ generation: ProjectionCatalog.Generation, error: any Error, attempts: Int, on connection: PostgresConnection
    ) async throws {
        let types = projection.definition.consumes
        try await connection.inTransaction(logger: logger) { connection in
            let watermark = try await catalog.store.watermark(on: connection)
            let found = try await connection.query(
                """
                SELECT position, event_id, event_type, stream_id FROM events
                WHERE position > \(generation.position) AND position < \(watermark)
                  AND (\(types.isEmpty) OR event_type = ANY(\(types)))
                ORDER BY position LIMIT 1
                """, logger: logger
            ).collect()
            guard let row = found.first else { return }
            let (position, eventId, type, streamId) = try row.decode((Int64, UUID, String, String).self)
            let message = String(String(reflecting: error).prefix(2_000))
            try await connection.execute(
                """
                INSERT INTO projection_parked (name, generation, position, event_id, event_type, stream_id, error, attempts)
                VALUES (\(projection.name), \(Int32(generation.generation)), \(position), \(eventId), \(type),
                        \(streamId), \(message), \(Int32(attempts)))
                ON CONFLICT (name, generation, position) DO UPDATE
                SET error = excluded.error, attempts = projection_parked.attempts + excluded.attempts,
                    parked_at = now(), resolution = NULL, resolved_at = NULL
                """, logger: logger)
            try await connection.execute(
                """
                UPDATE projection_generations SET status = 'failed', updated_at = now()
                WHERE name = \(projection.name) AND generation = \(Int32(generation.generation))
                """, logger: logger)
            logger.error(
                "projection stopped at a parked event: fix the cause, then `promoctl projections retry \(projection.name)`, or skip it with `promoctl projections skip \(projection.name)`",
                metadata: [
                    "es.position": "\(position)", "es.eventType": "\(type)", "es.streamId": "\(streamId)",
                    "error": "\(message)",
                ])
        }
    }

    private func backoff(after failures: Int) -> Duration {
        var delay = configuration.backoff
        for _ in 1..<max(1, min(failures, 16)) where delay < configuration.maxBackoff { delay *= 2 }
        return min(delay, configuration.maxBackoff)
    }

    enum ErrorKind { case cancelled, connection, transient, handler }

    /// What a failure says about where the fault lies.
    static func kind(of error: any Error) -> ErrorKind {
        if error is CancellationError { return .cancelled }
        if let error = error as? EventStoreError {
            if error.code == .databaseUnavailable, let underlying = error.underlying { return kind(of: underlying) }
            return error.code == .databaseUnavailable ? .connection : .handler
        }
        guard let error = error as? PSQLError else { return .handler }
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return .connection }
        if state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53") { return .connection }
        if ["40001", "40P01", "55P03", "57014"].contains(state) { return .transient }
        return .handler
    }
}

/// Every projection's worker, as one service of a ServiceGroup: each worker runs in a task of its own, and
/// none ends the process when it fails (see ``ProjectionWorker``). Stops on graceful shutdown.
public struct ProjectionWorkers: Service {
    public let catalog: ProjectionCatalog
    public let signal: WakeupSignal?
    public let configuration: ProjectionWorker.Configuration

    public init(
        catalog: ProjectionCatalog, signal: WakeupSignal?, configuration: ProjectionWorker.Configuration = .init()
    ) {
        self.catalog = catalog
        self.signal = signal
        self.configuration = configuration
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for projection in catalog.projections {
                    group.addTask {
                        await ProjectionWorker(
                            catalog: catalog, projection: projection, signal: signal, configuration: configuration
                        ).run()
                    }
                }
            }
        }
    }
}
