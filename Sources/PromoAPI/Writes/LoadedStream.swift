import HTTPTypes
import EventStore
import Hummingbird
import PromoDomain

/// A stream as a command loaded it: every event, and so the version its append must expect.
struct LoadedStream: Sendable {
    var id: StreamID
    var events: [RecordedEvent]

    /// The stream's version when loaded; 0 when it does not exist.
    var version: Int64 { events.last?.streamVersion ?? 0 }
    /// What an append after this load expects: exactly this version, or no stream.
    var expected: ExpectedVersion { version == 0 ? .noStream : .exact(version) }
    var exists: Bool { !events.isEmpty }

    /// The state the events fold to.
    func fold<State: EventSourced>(_: State.Type = State.self) throws -> State {
        var state = State()
        for event in events { try state.evolve(type: event.type, payload: event.payload) }
        return state
    }

    /// Loads the whole stream, page by page.
    static func load(_ id: StreamID, from store: PostgresEventStore) async throws -> LoadedStream {
        var events: [RecordedEvent] = []
        while true {
            let page = try await store.readStream(id, fromVersion: Int64(events.count) + 1, limit: 5_000)
            events += page
            if page.count < 5_000 { return LoadedStream(id: id, events: events) }
        }
    }
}

/// What a command decided: the events to append per stream, and the answer (without `position`, which the
/// runner adds). No appends means the command changed nothing (a repeated PUT).
struct WriteDecision: Sendable {
    var appends: [StreamAppend]
    var status: HTTPResponse.Status
    var body: [String: JSONValue]

    init(appends: [StreamAppend], status: HTTPResponse.Status = .ok, body: [String: JSONValue]) {
        self.appends = appends.filter { !$0.events.isEmpty }
        self.status = status
        self.body = body
    }

    /// One stream's events, expecting the version it was loaded at.
    init(
        _ stream: LoadedStream, events: [any DomainEvent], status: HTTPResponse.Status = .ok,
        body: [String: JSONValue]
    ) throws {
        self.init(
            appends: [
                StreamAppend(stream.id, expectedVersion: stream.expected, events: try events.map { try NewEvent($0) })
            ],
            status: status, body: body)
    }
}
