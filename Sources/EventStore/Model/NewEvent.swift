import Foundation
import PromoDomain

/// An event to append: its type, payload and metadata. The store assigns position, version and hash.
public struct NewEvent: Sendable, Hashable {
    public var eventId: UUID
    public var type: String
    public var schemaVersion: Int
    public var payload: JSONValue
    public var metadata: EventMetadata

    public init(
        eventId: UUID = .timeOrdered(), type: String, schemaVersion: Int = 1, payload: JSONValue,
        metadata: EventMetadata = EventMetadata()
    ) {
        self.eventId = eventId
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.metadata = metadata
    }

    /// A domain event at its current schema version.
    public init<E: DomainEvent>(_ event: E, eventId: UUID = .timeOrdered(), metadata: EventMetadata = EventMetadata())
        throws
    {
        self.init(
            eventId: eventId, type: E.eventType, schemaVersion: E.schemaVersion,
            payload: try JSONValue(encoding: event), metadata: metadata)
    }
}

/// The events one command appends to one stream, with what it expects of that stream.
public struct StreamAppend: Sendable, Hashable {
    public var streamId: StreamID
    public var expectedVersion: ExpectedVersion
    public var events: [NewEvent]

    public init(_ streamId: StreamID, expectedVersion: ExpectedVersion, events: [NewEvent]) {
        self.streamId = streamId
        self.expectedVersion = expectedVersion
        self.events = events
    }
}
