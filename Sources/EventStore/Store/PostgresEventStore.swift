import Crypto
import Foundation
import Logging
import PostgresNIO
import PromoDomain

/// The event store on PostgreSQL: atomic multi-stream appends, idempotent commands, a per-stream hash chain,
/// reads by stream, category and global position, all upcast to the current event versions.
///
/// One `PostgresClient` pool is shared by every caller; the store itself is a value and cheap to copy.
public struct PostgresEventStore: Sendable {
    public struct Configuration: Sendable {
        /// How many events one append may carry. Default 1,000.
        public var maxEventsPerAppend: Int
        /// The largest payload of one event, in bytes of canonical JSON. Default 1 MiB.
        public var maxPayloadBytes: Int
        /// The most payload and metadata bytes one append may carry. Default 8 MiB.
        public var maxAppendBytes: Int
        /// How often an append is re-run after losing a race (another append took its version first, or a
        /// deadlock). A lost race under `exact`/`noStream` ends as a conflict on the re-run; under `any` it
        /// appends after the winner. Default 100.
        public var maxAttempts: Int
        /// How many group-commit lanes share the appends, each on a connection of its own (``AppendBatcher``).
        /// Default 2.
        public var lanes: Int
        /// How many group-commit lanes may run at once: beyond ``lanes``, one more only while every running one
        /// is stuck on a lock. Default 3. (The batcher runs at least one lane, and at least ``lanes``.)
        public var maxBatchesInFlight: Int
        /// How many appends one batch carries at most. Default 256.
        public var maxAppendsPerBatch: Int
        /// How many events one batch carries at most (one transaction holds at most 65,536). Default 20,000.
        public var maxEventsPerBatch: Int
        /// How long a batch may wait, in all, for rows locked by transactions outside it (another process's
        /// append to the same stream, a caller's open transaction). An append still waiting then is taken out
        /// and run on its own, so it delays nobody else. Default 1 s.
        public var batchLockWait: Duration
        /// How long an append run on its own may wait for a locked row before it fails with
        /// ``EventStoreError/Code/streamBusy``. Default 10 s.
        public var soloLockWait: Duration

        public init(
            maxEventsPerAppend: Int = 1_000, maxPayloadBytes: Int = 1 << 20, maxAppendBytes: Int = 8 << 20,
            maxAttempts: Int = 100, lanes: Int = 2, maxBatchesInFlight: Int = 3, maxAppendsPerBatch: Int = 256,
            maxEventsPerBatch: Int = 20_000, batchLockWait: Duration = .seconds(1),
            soloLockWait: Duration = .seconds(10)
        ) {
            self.maxEventsPerAppend = maxEventsPerAppend
            self.maxPayloadBytes = maxPayloadBytes
            self.maxAppendBytes = maxAppendBytes
            self.maxAttempts = maxAttempts
            self.lanes = lanes
            self.maxBatchesInFlight = maxBatchesInFlight
            self.maxAppendsPerBatch = maxAppendsPerBatch
            self.maxEventsPerBatch = maxEventsPerBatch
            self.batchLockWait = batchLockWait
            self.soloLockWait = soloLockWait
        }

        var limits: AppendPlan.Limits {
            AppendPlan.Limits(
                maxEvents: maxEventsPerAppend, maxPayloadBytes: maxPayloadBytes, maxAppendBytes: maxAppendBytes)
        }
    }

    public let client: PostgresClient
    public let logger: Logger
    public let upcasters: UpcasterRegistry
    public let configuration: Configuration
    /// Fired after every append that committed on its own; ``EventNotifier`` turns it into a `NOTIFY`.
    public let appended: WakeupSignal?
    let batcher: AppendBatcher

    public init(
        client: PostgresClient, logger: Logger, upcasters: UpcasterRegistry = DomainEvents.upcasters,
        configuration: Configuration = Configuration(), appended: WakeupSignal? = nil
    ) {
        self.client = client
        self.logger = logger
        self.upcasters = upcasters
        self.configuration = configuration
        self.appended = appended
        self.batcher = AppendBatcher(
            sharedLanes: configuration.lanes, maxLanes: configuration.maxBatchesInFlight,
            maxAppends: max(1, configuration.maxAppendsPerBatch),
            maxEvents: max(configuration.maxEventsPerAppend, min(configuration.maxEventsPerBatch, 60_000)))
    }

    /// Appends events to one or more streams in one transaction.
    ///
    /// Every stream's expected version is checked; if any does not hold, nothing is written and the error
    /// (code ``EventStoreError/Code/wrongExpectedVersion``) names each stream that is not where expected, with
    /// its expected and actual version. With a `commandId`, a repeat of the same command returns the first
    /// result (marked ``AppendResult/replayed``) and writes nothing, even when the repeats run concurrently; the
    /// same id with different events fails with ``EventStoreError/Code/idempotencyKeyReused``.
    ///
    /// Appends from concurrent tasks are group-committed (see ``AppendBatcher``): they may share a transaction,
    /// and one append's failure never affects another's. The call returns only after its transaction's commit
    /// is confirmed. When the connection is lost after the append was sent, the store finds out whether it
    /// committed (by its event ids) before it answers; only when the database stays unreachable is the answer
    /// ``EventStoreError/Code/appendOutcomeUnknown``, and a retry must carry the same command id (or the same
    /// event ids) so that it cannot append twice.
    ///
    /// With `connection`, the append joins the transaction open on it (it commits or rolls back with it), is
    /// not re-run after a lost race, and sends no notification: subscribers find it by polling.
    public func append(
        _ appends: [StreamAppend], commandId: String? = nil, on connection: PostgresConnection? = nil
    ) async throws -> AppendResult {
        let plan = try AppendPlan(appends, commandId: commandId, limits: configuration.limits)
        var attempt = 0
        var solo = false
        while true {
            attempt += 1
            let canRetry = connection == nil && attempt < configuration.maxAttempts
            let outcome: BatchOutcome
            if let connection {
                outcome = await executeBatch(
                    [plan], in: .callerTransaction(connection), lockWait: configuration.soloLockWait)[0]
            } else if solo {
                outcome = await executeDetached([plan], lockWait: configuration.soloLockWait)[0]
            } else {
                outcome = await executeBatched(plan)
            }
            switch outcome {
            case .appended(let result, let requestHash):
                if result.replayed && requestHash != plan.requestHash {
                    throw EventStoreError(
                        .idempotencyKeyReused,
                        "command id '\(plan.commandId ?? "")' was used before with a different request")
                }
                if connection == nil, !result.replayed, let appended { await appended.fire() }
                return result
            case .unknown(let error):
                // The connection went away after the append was sent. Settle it before answering.
                switch await settle(plan) {
                case .committed(let result):
                    if let appended { await appended.fire() }
                    return result
                case .notCommitted where canRetry:
                    logger.debug("append re-run after a lost connection", metadata: ["es.attempt": "\(attempt)"])
                case .notCommitted, .unreachable:
                    throw EventStoreError(
                        .appendOutcomeUnknown,
                        "the connection was lost after the append was sent; retry with the same command id",
                        underlying: error)
                }
            case .unavailable(let error):
                throw EventStoreError(.databaseUnavailable, "the event store could not append", underlying: error)
            case .failed(let failure):
                switch failure.code {
                case .promoWrongExpectedVersion:
                    throw EventStoreError(
                        .wrongExpectedVersion, "a stream is not at the expected version",
                        conflicts: Self.conflicts(from: failure.detail, appends: appends))
                case .uniqueViolation where failure.constraint == "events_stream_version_key":
                    // A writer outside this batch took the version between the head read and the insert. The
                    // re-run reads the heads again: a conflict, or `any` appending after the winner.
                    guard canRetry else {
                        throw EventStoreError(
                            .wrongExpectedVersion, "a concurrent append took the stream version first")
                    }
                case .uniqueViolation where failure.constraint == "events_event_id_key":
                    // The same events stored before: this very append, sent again with the same event ids.
                    if let result = try await storedResult(of: plan) { return result }
                    throw EventStoreError(.duplicateEventID, "an event id of this append is already stored")
                case .promoCommandRecordedConcurrently where canRetry,
                    .deadlockDetected where canRetry, .serializationFailure where canRetry:
                    logger.debug(
                        "append re-run", metadata: ["es.attempt": "\(attempt)", "es.sqlstate": "\(failure.code.raw)"])
                case .lockNotAvailable where !solo && connection == nil:
                    solo = true  // waited past the batch's share: run alone, delaying nobody else
                case .lockNotAvailable:
                    throw EventStoreError(
                        .streamBusy, "a stream of this append is locked by a transaction that has not finished")
                case .promoStoreMoved:
                    throw EventStoreError(
                        .storeMoved,
                        "the database was moved to another cluster; run `promoctl migrate` before appending")
                case .promoWrongIsolation:
                    throw EventStoreError(
                        .misconfigured,
                        "appends need the read committed isolation level; reset default_transaction_isolation")
                case .undefinedFunction, .undefinedTable:
                    throw EventStoreError(.schemaOutdated, "the database schema is missing; run `promoctl migrate`")
                default:
                    throw EventStoreError(
                        .databaseUnavailable, "the event store could not append (SQLSTATE \(failure.code.raw))")
                }
            }
        }
    }

    /// Appends to a single stream.
    public func append(
        to streamId: StreamID, expectedVersion: ExpectedVersion, events: [NewEvent], commandId: String? = nil,
        on connection: PostgresConnection? = nil
    ) async throws -> AppendResult {
        try await append(
            [StreamAppend(streamId, expectedVersion: expectedVersion, events: events)], commandId: commandId,
            on: connection)
    }

    private static func conflicts(from detail: String?, appends: [StreamAppend]) -> [EventStoreError.VersionConflict] {
        guard let detail, case .array(let items)? = try? JSONValue(parsing: detail) else { return [] }
        return items.compactMap { item in
            guard let id = item["streamId"]?.stringValue, let actual = item["actual"]?.intValue,
                let expected = appends.first(where: { $0.streamId.rawValue == id })?.expectedVersion
            else { return nil }
            return EventStoreError.VersionConflict(streamId: id, expected: expected, actual: actual)
        }
    }
}
