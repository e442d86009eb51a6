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
        /// How often an append is re-run after losing a race (another append took its version first, or a
        /// deadlock). A lost race under `exact`/`noStream` ends as a conflict on the re-run; under `any` it
        /// appends after the winner. Default 100.
        public var maxAttempts: Int
        /// How many group-commit batches may run at once. Default 2.
        public var maxBatchesInFlight: Int
        /// How many appends one batch carries at most; each takes a subtransaction, and PostgreSQL keeps up to
        /// 64 of those per transaction in shared memory. Default 60.
        public var maxAppendsPerBatch: Int

        public init(maxEventsPerAppend: Int = 1_000, maxAttempts: Int = 100, maxBatchesInFlight: Int = 2, maxAppendsPerBatch: Int = 60) {
            self.maxEventsPerAppend = maxEventsPerAppend
            self.maxAttempts = maxAttempts
            self.maxBatchesInFlight = maxBatchesInFlight
            self.maxAppendsPerBatch = maxAppendsPerBatch
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
            maxInFlight: max(1, configuration.maxBatchesInFlight), maxBatch: min(max(1, configuration.maxAppendsPerBatch), 64))
    }

    /// Appends events to one or more streams in one transaction.
    ///
    /// Every stream's expected version is checked; if any does not hold, nothing is written and the error
    /// (code ``EventStoreError/Code/wrongExpectedVersion``) names each stream, expected and actual version.
    /// With a `commandId`, a repeat of the same command returns the first result (marked
    /// ``AppendResult/replayed``) and writes nothing; the same id with different events fails with
    /// ``EventStoreError/Code/idempotencyKeyReused``.
    ///
    /// Appends from concurrent tasks are group-committed (see ``AppendBatcher``): they may share a transaction,
    /// each in its own subtransaction, so one append's failure never affects another's, and each returns only
    /// once its transaction has committed.
    ///
    /// With `connection`, the append joins the transaction open on it (it commits or rolls back with it), is
    /// not re-run after a lost race, and sends no notification: subscribers find it by polling.
    public func append(
        _ appends: [StreamAppend], commandId: String? = nil, on connection: PostgresConnection? = nil
    ) async throws -> AppendResult {
        let plan = try AppendPlan(appends, commandId: commandId, maxEvents: configuration.maxEventsPerAppend)
        var checkHeads = false
        var attempt = 0
        while true {
            attempt += 1
            let canRetry = connection == nil && attempt < configuration.maxAttempts
            let request = BatchRequest(plan: plan, checkHeads: checkHeads)
            let outcome: BatchOutcome
            if let connection {
                outcome = await executeOne(request, on: connection)
            } else {
                outcome = await executeBatched(request)
            }
            let sqlState: String
            let constraint: String?
            let detail: String?
            let underlying: (any Error)?
            switch outcome {
            case .appended(let first, let last, let firstVersions, let lastVersions, let replayed, let requestHash):
                if replayed && requestHash != plan.requestHash {
                    throw EventStoreError(
                        .idempotencyKeyReused, "command id '\(plan.commandId ?? "")' was used before with a different request")
                }
                let streams = zip(plan.streamIds, zip(firstVersions, lastVersions)).map {
                    AppendResult.StreamResult(streamId: $0.0, firstVersion: $0.1.0, lastVersion: $0.1.1)
                }
                if connection == nil, !replayed, let appended { await appended.fire() }
                return AppendResult(firstPosition: first, lastPosition: last, streams: streams, replayed: replayed)
            case .failed(let state, let failedConstraint, let failedDetail):
                (sqlState, constraint, detail, underlying) = (state, failedConstraint, failedDetail, nil)
            case .batchFailed(let error):
                guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else {
                    throw EventStoreError(.databaseUnavailable, "the event store could not append", underlying: error)
                }
                (sqlState, constraint, detail, underlying) = (state, psql.serverInfo?[.constraintName], psql.serverInfo?[.detail], psql)
            }
            switch sqlState {
            case "PE409":
                throw EventStoreError(
                    .wrongExpectedVersion, "a stream is not at the expected version",
                    conflicts: Self.conflicts(from: detail, appends: appends))
            case "23505" where constraint == "events_stream_version_key":
                guard canRetry else {
                    throw EventStoreError(.wrongExpectedVersion, "a concurrent append took the stream version first", underlying: underlying)
                }
                checkHeads = true  // the re-run reads the heads: a conflict, or `any` appending after the winner
            case "23505" where constraint == "events_event_id_key":
                throw EventStoreError(.duplicateEventID, "an event id of this append is already stored", underlying: underlying)
            case "PE002" where canRetry:
                continue  // the concurrent twin committed: the next attempt replays its result
            case "40P01" where canRetry, "40001" where canRetry:
                logger.debug("append re-run", metadata: ["es.attempt": "\(attempt)", "es.sqlstate": "\(sqlState)"])
            case "42883", "42P01":
                throw EventStoreError(.schemaOutdated, "the database schema is missing; run `promoctl migrate`", underlying: underlying)
            default:
                throw EventStoreError(
                    .databaseUnavailable, "the event store could not append (SQLSTATE \(sqlState))", underlying: underlying)
            }
        }
    }

    /// Appends to a single stream.
    public func append(
        to streamId: StreamID, expectedVersion: ExpectedVersion, events: [NewEvent], commandId: String? = nil,
        on connection: PostgresConnection? = nil
    ) async throws -> AppendResult {
        try await append(
            [StreamAppend(streamId, expectedVersion: expectedVersion, events: events)], commandId: commandId, on: connection)
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

/// An append checked and laid out as the arrays `promo_append` takes.
struct AppendPlan {
    var streamIds: [String] = []
    var expected: [Int64] = []
    var eventStream: [Int32] = []
    var eventIds: [UUID] = []
    var types: [String] = []
    var schemaVersions: [Int32] = []
    var payloads: [String] = []
    var metadata: [String] = []
    var commandId: String?
    /// sha256 of what makes two attempts "the same command", hex; nil without a command id.
    var requestHash: String?

    init(_ appends: [StreamAppend], commandId: String?, maxEvents: Int) throws(EventStoreError) {
        guard !appends.isEmpty else { throw EventStoreError(.invalidAppend, "an append needs at least one stream") }
        if let commandId, commandId.isEmpty || commandId.count > 200 {
            throw EventStoreError(.invalidAppend, "a command id has 1 to 200 characters")
        }
        self.commandId = commandId
        var seen = Set<StreamID>()
        var digestInput: [JSONValue] = []
        let hashesRequest = commandId != nil
        for (index, append) in appends.enumerated() {
            guard seen.insert(append.streamId).inserted else {
                throw EventStoreError(.invalidAppend, "stream \(append.streamId) appears twice in one append")
            }
            guard !append.events.isEmpty else {
                throw EventStoreError(.invalidAppend, "the append to \(append.streamId) has no events")
            }
            streamIds.append(append.streamId.rawValue)
            switch append.expectedVersion {
            case .any: expected.append(-1)
            case .noStream: expected.append(0)
            case .exact(let version):
                guard version >= 0 else {
                    throw EventStoreError(.invalidAppend, "expected version \(version) of \(append.streamId) is negative")
                }
                expected.append(version)
            }
            for event in append.events {
                guard !event.type.isEmpty, event.schemaVersion > 0 else {
                    throw EventStoreError(.invalidAppend, "every event needs a type and a schema version of 1 or more")
                }
                var metadata = event.metadata
                metadata.commandId = commandId ?? metadata.commandId
                eventStream.append(Int32(index + 1))
                eventIds.append(event.eventId)
                types.append(event.type)
                schemaVersions.append(Int32(event.schemaVersion))
                payloads.append(event.payload.canonicalString)
                metadata.encodeCanonical(into: &self.metadata)
                if hashesRequest {
                    digestInput.append([
                    .string(append.streamId.rawValue), .string(append.expectedVersion.description),
                    .string(event.type), .int(Int64(event.schemaVersion)), event.payload,
                    ])
                }
            }
        }
        guard eventIds.count <= maxEvents else {
            throw EventStoreError(.invalidAppend, "an append carries at most \(maxEvents) events, this one \(eventIds.count)")
        }
        guard Set(eventIds).count == eventIds.count else {
            throw EventStoreError(.invalidAppend, "an event id appears twice in one append")
        }
        // What makes two attempts "the same command": streams, expectations, types and payloads. Event ids and
        // metadata are left out, since a client retrying may generate them anew.
        requestHash = hashesRequest ? SHA256.hash(data: JSONValue.array(digestInput).canonicalBytes).hexString : nil
    }
}

extension EventMetadata {
    func encodeCanonical(into array: inout [String]) {
        var members: [String: JSONValue] = [:]
        if let correlationId { members["correlationId"] = .string(correlationId) }
        if let causationId { members["causationId"] = .string(causationId) }
        if let actor { members["actor"] = .string(actor) }
        if let channel { members["channel"] = .string(channel) }
        if let commandId { members["commandId"] = .string(commandId) }
        array.append(JSONValue.object(members).canonicalString)
    }

    init(json: JSONValue) {
        self.init(
            correlationId: json["correlationId"]?.stringValue, causationId: json["causationId"]?.stringValue,
            actor: json["actor"]?.stringValue, channel: json["channel"]?.stringValue,
            commandId: json["commandId"]?.stringValue)
    }
}
