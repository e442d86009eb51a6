import EventStore
import HTTPTypes
import Hummingbird
import PromoDomain

/// A stream as a command loaded it: its state folded to the version the load saw, and so the version its append
/// must expect.
struct LoadedStream: Sendable {
    var id: StreamID
    /// The stream's version when loaded; 0 when it does not exist.
    private(set) var version: Int64
    /// The position of the last event folded (0 for an empty stream): what a command that changes nothing answers.
    private(set) var lastPosition: Int64
    /// The state of the stream's kind (``StreamStates/kinds``) after every event up to `version`.
    private(set) var state: any EventSourced

    init(id: StreamID, version: Int64, lastPosition: Int64, state: any EventSourced) {
        self.id = id
        self.version = version
        self.lastPosition = lastPosition
        self.state = state
    }

    /// What an append after this load expects: exactly this version, or no stream.
    var expected: ExpectedVersion { version == 0 ? .noStream : .exact(version) }
    var exists: Bool { version > 0 }

    /// The state the events fold to, as the kind the stream's category folds to.
    func fold<State: EventSourced>(_: State.Type = State.self) throws -> State {
        guard let state = state as? State else {
            throw APIError(
                .internalServerError, code: "internal_error",
                message: "stream \(id) folds to \(type(of: self.state)), not \(State.self)")
        }
        return state
    }

    /// The stream after `events` (decided, not yet stored): what the next command of a batch decides on.
    mutating func apply(_ events: [NewEvent]) throws {
        for event in events { try state.evolve(type: event.type, payload: event.payload) }
        version += Int64(events.count)
    }

    /// The stream after `event` (read from the store).
    mutating func apply(_ event: RecordedEvent) throws {
        try state.evolve(type: event.type, payload: event.payload)
        version = event.streamVersion
        lastPosition = event.position
    }

    /// Marks the stream as stored up to `position` (after its batch committed).
    mutating func stored(at position: Int64) { lastPosition = max(lastPosition, position) }
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
