import EventStore
import PromoDomain

/// One stream of a category folded, with its version.
struct FoldedStream<State: EventSourced>: Sendable {
    var state: State
    var version: Int64
}

extension PostgresEventStore {
    /// Every stream of a category (or of those whose ids start with `streamIdPrefix`) folded from the store,
    /// page by page, keyed by stream id. Authoritative and lag-free; it reads the whole category, so dashboards
    /// use the read models instead.
    func fold<State: EventSourced>(
        category: String, streamIdPrefix: String? = nil, as _: State.Type = State.self
    ) async throws -> [String: FoldedStream<State>] {
        var streams: [String: FoldedStream<State>] = [:]
        var after: Int64 = 0
        while true {
            let page =
                if let streamIdPrefix {
                    try await readCategory(category, streamIdPrefix: streamIdPrefix, after: after, limit: 1_000)
                } else {
                    try await readCategory(category, after: after, limit: 1_000)
                }
            for event in page {
                var folded = streams[event.streamId] ?? FoldedStream(state: State(), version: 0)
                try folded.state.evolve(type: event.type, payload: event.payload)
                folded.version = event.streamVersion
                streams[event.streamId] = folded
            }
            guard let last = page.last, page.count == 1_000 else { return streams }
            after = last.position
        }
    }
}
