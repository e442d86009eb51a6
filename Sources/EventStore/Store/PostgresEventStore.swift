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
        /// How often an append retries a deadlock or serialization failure before giving up. Default 5.
        public var maxRetries: Int

        public init(maxEventsPerAppend: Int = 1_000, maxRetries: Int = 5) {
            self.maxEventsPerAppend = maxEventsPerAppend
            self.maxRetries = maxRetries
        }
    }

    public let client: PostgresClient
    public let logger: Logger
    public let upcasters: UpcasterRegistry
    public let configuration: Configuration

    public init(
        client: PostgresClient, logger: Logger, upcasters: UpcasterRegistry = DomainEvents.upcasters,
        configuration: Configuration = Configuration()
    ) {
        self.client = client
        self.logger = logger
        self.upcasters = upcasters
        self.configuration = configuration
    }

    /// Appends events to one or more streams in one transaction.
    ///
    /// Every stream's expected version is checked under a row lock; if any does not hold, nothing is written
    /// and the error (code ``EventStoreError/Code/wrongExpectedVersion``) names each stream, expected and
    /// actual version. With a `commandId`, a repeat of the same command returns the first result (marked
    /// ``AppendResult/replayed``) and writes nothing; the same id with different events fails with
    /// ``EventStoreError/Code/idempotencyKeyReused``.
    ///
    /// With `connection`, the append joins the transaction open on it (it commits or rolls back with it) and
    /// is not retried.
    public func append(
        _ appends: [StreamAppend], commandId: String? = nil, on connection: PostgresConnection? = nil
    ) async throws -> AppendResult {
        let plan = try AppendPlan(appends, commandId: commandId, maxEvents: configuration.maxEventsPerAppend)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await execute(plan, on: connection)
            } catch let error as PSQLError {
                switch error.serverInfo?[.sqlState] {
                case "PE409":
                    throw EventStoreError(
                        .wrongExpectedVersion, "a stream is not at the expected version",
                        conflicts: Self.conflicts(from: error.serverInfo?[.detail], appends: appends))
                case "PE002" where connection == nil:
                    continue  // the concurrent twin committed: the next attempt replays its result
                case "40P01" where connection == nil && attempt <= configuration.maxRetries,
                    "40001" where connection == nil && attempt <= configuration.maxRetries:
                    logger.debug("append retried", metadata: ["es.attempt": "\(attempt)"])
                    continue
                case "23505" where error.serverInfo?[.constraintName] == "events_event_id_key":
                    throw EventStoreError(.duplicateEventID, "an event id of this append is already stored", underlying: error)
                case "42883", "42P01":
                    throw EventStoreError(.schemaOutdated, "the database schema is missing; run `promoctl migrate`", underlying: error)
                default:
                    throw EventStoreError(.databaseUnavailable, "the event store could not append", underlying: error)
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
            [StreamAppend(streamId, expectedVersion: expectedVersion, events: events)], commandId: commandId, on: connection)
    }

    private func execute(_ plan: AppendPlan, on connection: PostgresConnection?) async throws -> AppendResult {
        let query: PostgresQuery = """
            SELECT result::text, replayed, encode(request_hash, 'hex') FROM promo_append(
                \(plan.streamIds), \(plan.expected), \(plan.eventStream), \(plan.eventIds), \(plan.types),
                \(plan.schemaVersions), \(plan.payloads)::jsonb[], \(plan.metadata)::jsonb[], \(plan.commandId),
                decode(\(plan.requestHash), 'hex'))
            """
        let rows: PostgresRowSequence
        if let connection {
            rows = try await connection.query(query, logger: logger)
        } else {
            rows = try await client.query(query, logger: logger)
        }
        for try await (resultText, replayed, requestHash) in rows.decode((String, Bool, String).self) {
            if replayed && requestHash != plan.requestHash {
                throw EventStoreError(
                    .idempotencyKeyReused,
                    "command id '\(plan.commandId ?? "")' was used before with a different request")
            }
            do {
                return try JSONDecoder().decode(AppendResult.self, from: Data(resultText.utf8))
            } catch {
                throw EventStoreError(.corruptEvent, "the stored command result cannot be read", underlying: error)
            }
        }
        throw EventStoreError(.databaseUnavailable, "the append returned no result")
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
    var requestHash: String

    init(_ appends: [StreamAppend], commandId: String?, maxEvents: Int) throws(EventStoreError) {
        guard !appends.isEmpty else { throw EventStoreError(.invalidAppend, "an append needs at least one stream") }
        if let commandId, commandId.isEmpty || commandId.count > 200 {
            throw EventStoreError(.invalidAppend, "a command id has 1 to 200 characters")
        }
        self.commandId = commandId
        var seen = Set<StreamID>()
        var digestInput: [JSONValue] = []
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
                digestInput.append([
                    .string(append.streamId.rawValue), .string(append.expectedVersion.description),
                    .string(event.type), .int(Int64(event.schemaVersion)), event.payload,
                ])
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
        requestHash = SHA256.hash(data: JSONValue.array(digestInput).canonicalBytes).hexString
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
