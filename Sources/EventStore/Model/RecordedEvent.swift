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
    public var payload: JSONValue
    public var metadata: EventMetadata
    public var recordedAt: Date

    /// Decodes the payload as a domain event type.
    public func decode<E: DomainEvent>(as type: E.Type) throws -> E {
        try payload.decode(as: E.self)
    }
}
