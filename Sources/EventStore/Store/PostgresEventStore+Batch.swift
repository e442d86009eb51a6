import Foundation
import PostgresNIO

extension PostgresEventStore {
    /// Runs one append through the group-commit batcher (``AppendBatcher``).
    func executeBatched(_ plan: AppendPlan) async -> BatchOutcome {
        await batcher.submit(plan) { lane in
            // A task of its own: a batch serves many callers, so no single caller's cancellation (an HTTP client
            // that went away) may reach it.
            Task { await self.runLane(lane) }
        }
    }

    /// Runs batches for `lane` until the batcher has none for it, one at a time, all on one leased connection.
    ///
    /// One connection: leasing one per batch costs the pool's keep-alive and idle timers each time (a tenth of
    /// the append under 32 writers). A connection whose session ended, or on which an outcome was lost, is
    /// given back and another taken. The first batch is taken once the connection is there, so what queued
    /// meanwhile goes with it.
    func runLane(_ lane: Int) async {
        var ended = false
        while !ended {
            do {
                try await client.withOpenConnection { connection in
                    while true {
                        // The writers just served usually append again at once: let them queue before looking,
                        // rather than end the lane and have their appends start another.
                        if !batcher.hasQueued { await Task.yield() }
                        guard let batch = batcher.next(lane: lane) else {
                            ended = true
                            return
                        }
                        let outcomes = await execute(batch.plans, on: connection)
                        batcher.complete(batch, outcomes)
                        if connection.isClosed || outcomes.contains(where: \.lostConnection) { return }
                    }
                }
            } catch {
                // No connection could be had: the next batch fails with that error (nothing of it was sent),
                // unless another lane runs and serves the queue.
                guard let batch = batcher.batchToFail(lane: lane) else { return }
                batcher.complete(batch, Array(repeating: .unavailable(error), count: batch.count))
            }
        }
    }

    /// Runs a lane's batch on its connection: as `CALL promo_commit_batch` when its appends are independent (no
    /// stream or command id in two of them), else as `CALL promo_commit_many`. When the whole call failed, a
    /// `promo_commit_batch` runs again as `promo_commit_many`, which finds the append that caused it; a
    /// `promo_commit_many` that failed for a reason one member may have caused runs again member by member.
    func execute(_ plans: [AppendPlan], on connection: PostgresConnection) async -> [BatchOutcome] {
        let arrays = BatchArrays(plans)
        let lockWait = configuration.batchLockWait
        var outcomes: [BatchOutcome]
        if arrays.independent {
            outcomes = await run(Self.independentCall(arrays, lockWait: lockWait), of: plans, arrays, on: connection)
            if outcomes.allSatisfy(\.isWholeBatchFailure) {
                logger.debug(
                    "independent batch failed whole; running it with per-append decisions",
                    metadata: ["es.count": "\(plans.count)"])
                outcomes = await executeBatch(plans, arrays: arrays, in: .held(connection), lockWait: lockWait)
            }
        } else {
            outcomes = await executeBatch(plans, arrays: arrays, in: .held(connection), lockWait: lockWait)
        }
        return await isolatingMembers(outcomes, of: plans, in: .held(connection), lockWait: lockWait)
    }

    /// Runs a batch on the pool in a task of its own: the batch serves many callers, so no single caller's
    /// cancellation (an HTTP client that went away) may reach it.
    func executeDetached(_ plans: [AppendPlan], lockWait: Duration) async -> [BatchOutcome] {
        await Task { await self.executeCommitted(plans, in: .pool, lockWait: lockWait) }.value
    }

    /// Runs a batch as `CALL promo_commit_many`, which commits before it answers (see ``isolatingMembers``).
    func executeCommitted(_ plans: [AppendPlan], in session: BatchSession, lockWait: Duration) async
        -> [BatchOutcome]
    {
        let outcomes = await executeBatch(plans, in: session, lockWait: lockWait)
        return await isolatingMembers(outcomes, of: plans, in: session, lockWait: lockWait)
    }

    /// `outcomes` of a batch of `plans`, unless the whole call failed for a reason one member may have caused (a
    /// statement timeout, a value the server refused): then the members run again one by one, so only the
    /// guilty one fails.
    func isolatingMembers(
        _ outcomes: [BatchOutcome], of plans: [AppendPlan], in session: BatchSession, lockWait: Duration
    ) async -> [BatchOutcome] {
        guard plans.count > 1, case .failed = outcomes[0], outcomes.allSatisfy(\.isWholeBatchFailure) else {
            return outcomes
        }
        logger.debug("batch failed whole; running its members one by one", metadata: ["es.count": "\(plans.count)"])
        var single: [BatchOutcome] = []
        for plan in plans { single.append(await executeBatch([plan], in: session, lockWait: lockWait)[0]) }
        return single
    }

    /// Where a batch runs.
    enum BatchSession {
        /// `CALL promo_commit_many` on a connection leased for the call.
        case pool
        /// `CALL promo_commit_many` on a connection the caller leased and holds between calls.
        case held(PostgresConnection)
        /// `promo_append_in_transaction` inside the transaction open on this connection: it commits with the caller's.
        case callerTransaction(PostgresConnection)
    }

    /// Several independent appends in one call; one outcome per plan, in order. `arrays`: the plans' arrays,
    /// when the caller laid them out already.
    ///
    /// A result is only ever returned for a committed transaction, except in `callerTransaction`, where it is
    /// the caller's to commit.
    func executeBatch(
        _ plans: [AppendPlan], arrays: BatchArrays? = nil, in session: BatchSession, lockWait: Duration
    ) async -> [BatchOutcome] {
        let connection: PostgresConnection?
        let call: String
        switch session {
        case .pool: (connection, call) = (nil, Self.commitCall)
        case .held(let held):
            // Never onto a connection that has closed: the query would never be answered.
            guard !held.isClosed else {
                return Array(
                    repeating: .unavailable(EventStoreError(.databaseUnavailable, "the lane's connection closed")),
                    count: plans.count)
            }
            (connection, call) = (held, Self.commitCall)
        case .callerTransaction(let caller): (connection, call) = (caller, Self.inTransactionCall)
        }
        let arrays = arrays ?? BatchArrays(plans)
        return await run(Self.call(call, arrays, lockWait: lockWait), of: plans, arrays, on: connection)
    }

    /// Runs a batch call on `connection` (nil: a connection leased for it) and reads its outcomes.
    func run(_ query: PostgresQuery, of plans: [AppendPlan], _ arrays: BatchArrays, on connection: PostgresConnection?)
        async -> [BatchOutcome]
    {
        do {
            // Every row read before returning: the call's outcome is only known once the server says it is done.
            let row: BatchRow?
            if let connection {
                row = try await connection.allRows(query, logger: logger).first?.decode(BatchRow.self)
            } else {
                row = try await collect(query, on: nil) { sequence in
                    var rows: [BatchRow] = []
                    for try await row in sequence.decode(BatchRow.self) { rows.append(row) }
                    return rows
                }.first
            }
            return Self.outcomes(of: row, plans: plans, streamSlots: arrays.streamIds.count)
        } catch {
            return Array(repeating: BatchOutcome(error: error), count: plans.count)
        }
    }

    /// The batch call that commits before it answers (on the pool and on a lane's connection).
    static let commitCall = "CALL promo_commit_many"
    /// The batch call inside a caller's transaction (migration 8: a procedure, so the call is not planned).
    static let inTransactionCall = "CALL promo_append_in_transaction"

    /// `call` (``commitCall`` or ``inTransactionCall``) with the arrays of a batch. The results are passed as NULL
    /// (``inTransactionCall`` has no defaults for them).
    static func call(_ call: String, _ batch: BatchArrays, lockWait: Duration) -> PostgresQuery {
        """
        \(unescaped: call)(
            \(batch.commandIds), \(batch.requestHashes), \(batch.streamCount), \(batch.eventCount),
            \(batch.streamIds), \(batch.expected), \(batch.streamKey), \(batch.distinctStreams),
            \(batch.events.slot), \(batch.events.ids), \(batch.events.types), \(batch.events.schemaVersions),
            \(batch.events.payloads)::jsonb[], \(batch.events.metadata)::jsonb[], \(milliseconds(lockWait)), NULL, NULL,
            NULL, NULL, NULL, NULL, NULL, NULL, NULL)
        """
    }

    /// `CALL promo_commit_batch` with the arrays of a batch of independent appends. The results are passed as
    /// NULL rather than left to their defaults, which the server would read from the catalog on every call.
    static func independentCall(_ batch: BatchArrays, lockWait: Duration) -> PostgresQuery {
        """
        CALL promo_commit_batch(
            \(batch.commandIds), \(batch.requestHashes), \(batch.streamCount), \(batch.eventCount),
            \(batch.firstEvent), \(batch.streamIds), \(batch.expected), \(batch.streamAppend),
            \(batch.streamEventCount), \(batch.eventSlot), \(batch.eventRank), \(batch.events.ids),
            \(batch.events.types), \(batch.events.schemaVersions), \(batch.events.payloads)::jsonb[],
            \(batch.events.metadata)::jsonb[], \(milliseconds(lockWait)), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
            NULL, NULL)
        """
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        Int32(clamping: duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// One outcome per plan from the call's result row (`streamSlots`: the streams of all plans together).
    static func outcomes(of row: BatchRow?, plans: [AppendPlan], streamSlots: Int) -> [BatchOutcome] {
        guard let row else {
            return Array(
                repeating: .unavailable(EventStoreError(.databaseUnavailable, "the append returned no result")),
                count: plans.count)
        }
        let (
            firstPositions, lastPositions, replayed, requestHashes, states, constraints, details, firstVersions,
            lastVersions
        ) = row
        guard firstPositions.count == plans.count, firstVersions.count == streamSlots else {
            return Array(
                repeating: .unavailable(
                    EventStoreError(.databaseUnavailable, "the append returned a malformed result")), count: plans.count
            )
        }
        var outcomes: [BatchOutcome] = []
        outcomes.reserveCapacity(plans.count)
        var slot = 0
        for (index, plan) in plans.enumerated() {
            defer { slot += plan.streamIds.count }
            if !states[index].isEmpty {
                outcomes.append(
                    .failed(
                        ServerFailure(
                            code: PostgresError.Code(raw: states[index]), constraint: constraints[index].nilIfEmpty,
                            detail: details[index].nilIfEmpty, wholeBatch: false)))
                continue
            }
            let streams = plan.streamIds.indices.map {
                AppendResult.StreamResult(
                    streamId: plan.streamIds[$0], firstVersion: firstVersions[slot + $0],
                    lastVersion: lastVersions[slot + $0])
            }
            let result = AppendResult(
                firstPosition: firstPositions[index], lastPosition: lastPositions[index], streams: streams,
                replayed: replayed[index])
            outcomes.append(.appended(result, requestHash: requestHashes[index].nilIfEmpty))
        }
        return outcomes
    }

    typealias BatchRow = ([Int64], [Int64], [Bool], [String], [String], [String], [String], [Int64], [Int64])

    /// Finds out whether an append whose connection was lost committed: waits until no transaction that may
    /// still write its events runs, then looks them up.
    func settle(_ plan: AppendPlan) async -> Settlement {
        for attempt in 1...5 {
            do {
                try await Task.sleep(for: .milliseconds(100 * attempt))
                let found = try await collect(
                    "SELECT event_id FROM promo_append_outcome(\([plan.events.ids[0]]))", on: nil
                ) { sequence in
                    var ids: [UUID] = []
                    for try await id in sequence.decode(UUID.self) { ids.append(id) }
                    return ids
                }
                guard !found.isEmpty else { return .notCommitted }
                if let result = try await storedResult(of: plan) {
                    return .committed(
                        AppendResult(
                            firstPosition: result.firstPosition, lastPosition: result.lastPosition,
                            streams: result.streams,
                            replayed: false))
                }
                return .notCommitted  // the event id belongs to something else: the re-run reports it
            } catch {
                logger.warning(
                    "could not settle an append whose connection was lost",
                    metadata: ["es.attempt": "\(attempt)", "error": "\(String(reflecting: error))"])
            }
        }
        return .unreachable
    }

    /// The result of `plan` as already stored: every one of its event ids on its stream, with its type and
    /// payload. Nil when the ids are not all there or belong to other events.
    func storedResult(of plan: AppendPlan) async throws -> AppendResult? {
        let streams = plan.events.slot.map { plan.streamIds[Int($0) - 1] }
        let query: PostgresQuery = """
            SELECT e.position, e.stream_id, e.stream_version,
                   e.stream_id = x.stream_id AND e.event_type = x.event_type AND e.payload = x.payload::jsonb
            FROM unnest(\(plan.events.ids), \(streams), \(plan.events.types), \(plan.events.payloads)) AS x(event_id, stream_id, event_type, payload)
            JOIN events e ON e.event_id = x.event_id
            ORDER BY e.position
            """
        let rows = try await collect(query, on: nil) { sequence in
            var rows: [(Int64, String, Int64, Bool)] = []
            for try await row in sequence.decode((Int64, String, Int64, Bool).self) { rows.append(row) }
            return rows
        }
        guard rows.allSatisfy(\.3) else { return nil }
        let stored = rows.map { (position: $0.0, stream: $0.1, version: $0.2) }
        guard stored.count == plan.events.ids.count, let first = stored.first, let last = stored.last else {
            return nil
        }
        let results = plan.streamIds.map { id in
            let versions = stored.filter { $0.stream == id }.map(\.version)
            return AppendResult.StreamResult(
                streamId: id, firstVersion: versions.min() ?? 0, lastVersion: versions.max() ?? 0)
        }
        return AppendResult(
            firstPosition: first.position, lastPosition: last.position, streams: results, replayed: true)
    }
}

/// What became of an append whose connection was lost.
enum Settlement {
    case committed(AppendResult)
    case notCommitted
    case unreachable
}

/// The arrays `promo_append_many` and `promo_commit_batch` take, for a batch of appends.
struct BatchArrays {
    var commandIds: [String] = []
    var requestHashes: [String] = []
    var streamCount: [Int32] = []
    var eventCount: [Int32] = []
    var streamIds: [String] = []
    var expected: [Int64] = []
    var streamKey: [Int32] = []
    var distinctStreams: [String] = []
    var events = EventColumns()
    /// Per append, the index of its first event in the batch (0-based).
    var firstEvent: [Int32] = []
    /// Per stream slot, its append (1-based) and how many events it takes.
    var streamAppend: [Int32] = []
    var streamEventCount: [Int32] = []
    /// Per event, its stream slot in the whole batch (1-based) and its rank among that stream's events.
    var eventSlot: [Int32] = []
    var eventRank: [Int32] = []
    /// No stream and no command id is in two appends: each append is decided against the stored heads alone,
    /// as `promo_commit_batch` does.
    private(set) var independent = true
    private var keyOf: [String: Int32] = [:]
    private var commandsSeen: Set<String> = []

    init(_ plans: [AppendPlan]) {
        for plan in plans { add(plan) }
    }

    mutating func add(_ plan: AppendPlan) {
        commandIds.append(plan.commandId ?? "")
        if let commandId = plan.commandId, !commandsSeen.insert(commandId).inserted { independent = false }
        requestHashes.append(plan.requestHash ?? "")
        streamCount.append(Int32(plan.streamIds.count))
        eventCount.append(Int32(plan.events.ids.count))
        firstEvent.append(Int32(events.ids.count))
        let firstSlot = Int32(streamIds.count)
        for id in plan.streamIds {
            let key: Int32
            if let known = keyOf[id] {
                key = known
                independent = false
            } else {
                distinctStreams.append(id)
                key = Int32(distinctStreams.count)
                keyOf[id] = key
            }
            streamKey.append(key)
            streamAppend.append(Int32(commandIds.count))
        }
        streamEventCount += Array(repeating: 0, count: plan.streamIds.count)
        for slot in plan.events.slot {
            let global = firstSlot + slot
            streamEventCount[Int(global) - 1] += 1
            eventSlot.append(global)
            eventRank.append(streamEventCount[Int(global) - 1])
        }
        streamIds += plan.streamIds
        expected += plan.expected
        events.append(contentsOf: plan.events)
    }
}

/// A failure the server reported for one append, or for the whole call (``wholeBatch``).
struct ServerFailure: Sendable {
    var code: PostgresError.Code
    var constraint: String?
    var detail: String?
    var wholeBatch: Bool
}

/// What became of one append of a batch.
enum BatchOutcome: Sendable {
    case appended(AppendResult, requestHash: String?)
    case failed(ServerFailure)
    /// The connection was lost once the call was sent: it may have committed.
    case unknown(any Error)
    /// The call never reached the server (no connection could be had, the pool is closed).
    case unavailable(any Error)

    /// Classifies an error thrown by the call. An error the server raised while running the statement
    /// rolled it back; a connection lost after sending, or a fatal server error, leaves the outcome open.
    /// Errors other than `PSQLError` come from leasing a connection, before anything was sent.
    init(error: any Error) {
        guard let psql = error as? PSQLError else {
            self = .unavailable(error)
            return
        }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            let severity = psql.serverInfo?[.severity] ?? ""
            if severity == "FATAL" || severity == "PANIC" || state.hasPrefix("08") || state.hasPrefix("57P") {
                self = .unknown(error)
            } else {
                self = .failed(
                    ServerFailure(
                        code: PostgresError.Code(raw: state), constraint: psql.serverInfo?[.constraintName],
                        detail: psql.serverInfo?[.detail], wholeBatch: true))
            }
        case .poolClosed, .tooManyParameters:
            self = .unavailable(error)
        default:
            self = .unknown(error)
        }
    }

    /// The call's connection failed or could not be had: it is not used for another call.
    var lostConnection: Bool {
        switch self {
        case .unknown, .unavailable: return true
        case .appended, .failed: return false
        }
    }

    var isWholeBatchFailure: Bool {
        if case .failed(let failure) = self { return failure.wholeBatch }
        return false
    }
}

extension PostgresError.Code {
    /// Raised by `promo_append_core`: a stream is not at the expected version (detail: the conflicts as JSON).
    static let promoWrongExpectedVersion: Self = "PE409"
    /// The command id was recorded by a concurrent transaction; the re-run replays it.
    static let promoCommandRecordedConcurrently: Self = "PE002"
    /// The database moved to another cluster and positions were not moved above the stored ones yet.
    static let promoStoreMoved: Self = "PE503"
    /// The session is not at the read committed isolation level.
    static let promoWrongIsolation: Self = "PE501"
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
