import Foundation
import PromoDomain

/// An event as stored: where it sits globally and in its stream, and what it says.
///
/// Events come out of every read path upcast to the current schema version of their type; ``storedSchemaVersion``
/// keeps the version they were written at.
public struct RecordedEvent: Sendable, Hashable {
    /// The global position: unique, increasing in commit-safe order; what commands return and checkpoints hold.
    public var position: Int64
    public var streamId: String
    /// 1-based, gap-free within the stream.
    public var streamVersion: Int64
    public var eventId: UUID
    public var type: String
    public var schemaVersion: Int
    public var storedSchemaVersion: Int
    public var metadata: EventMetadata
    public var recordedAt: Date

    /// How the payload is held: as a tree, or (read by a projection worker) as the tape it was read into, which
    /// decodes without building the tree (``JSONTape``).
    enum Payload: Sendable {
        case tree(JSONValue)
        case tape(JSONTape)
    }
    var storage: Payload

    /// The payload. An event held as a tape builds its tree here, each time: decode with ``decodePayload(as:)``.
    /// (A tape is made of text PostgreSQL wrote from `jsonb`; one whose values cannot be read gives `null`.)
    public var payload: JSONValue {
        get {
            switch storage {
            case .tree(let value): return value
            case .tape(let tape): return (try? tape.value) ?? .null
            }
        }
        set { storage = .tree(newValue) }
    }

    public init(
        position: Int64, streamId: String, streamVersion: Int64, eventId: UUID, type: String, schemaVersion: Int,
        storedSchemaVersion: Int, payload: JSONValue, metadata: EventMetadata, recordedAt: Date
    ) {
        self.init(
            position: position, streamId: streamId, streamVersion: streamVersion, eventId: eventId, type: type,
            schemaVersion: schemaVersion, storedSchemaVersion: storedSchemaVersion, storage: .tree(payload),
            metadata: metadata, recordedAt: recordedAt)
    }

    init(
        position: Int64, streamId: String, streamVersion: Int64, eventId: UUID, type: String, schemaVersion: Int,
        storedSchemaVersion: Int, storage: Payload, metadata: EventMetadata, recordedAt: Date
    ) {
        self.position = position
        self.streamId = streamId
        self.streamVersion = streamVersion
        self.eventId = eventId
        self.type = type
        self.schemaVersion = schemaVersion
        self.storedSchemaVersion = storedSchemaVersion
        self.storage = storage
        self.metadata = metadata
        self.recordedAt = recordedAt
    }

    /// Decodes the payload as a domain event type.
    public func decode<E: DomainEvent>(as type: E.Type) throws -> E {
        try decodePayload(as: E.self)
    }

    /// Decodes the payload as `T`: from the tape when the event holds one, else from the tree; the same value
    /// and the same errors either way.
    public func decodePayload<T: Decodable>(as type: T.Type) throws -> T {
        switch storage {
        case .tree(let value): return try value.decode(as: T.self)
        case .tape(let tape): return try tape.decode(as: T.self)
        }
    }

    public static func == (lhs: RecordedEvent, rhs: RecordedEvent) -> Bool {
        lhs.position == rhs.position && lhs.streamId == rhs.streamId && lhs.streamVersion == rhs.streamVersion
            && lhs.eventId == rhs.eventId && lhs.type == rhs.type && lhs.schemaVersion == rhs.schemaVersion
            && lhs.storedSchemaVersion == rhs.storedSchemaVersion && lhs.metadata == rhs.metadata
            && lhs.recordedAt == rhs.recordedAt && lhs.payload == rhs.payload
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(position)
        hasher.combine(eventId)
        hasher.combine(payload)
    }
}
