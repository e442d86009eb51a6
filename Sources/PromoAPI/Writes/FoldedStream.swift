import PromoDomain

/// One stream folded, with its version.
struct FoldedStream<State: EventSourced>: Sendable {
    var state: State
    var version: Int64
}
