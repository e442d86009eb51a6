/// State rebuilt from a stream: start empty, fold each stored event in order.
///
/// Types the state does not know are skipped, so a stream may carry events a newer build added.
public protocol EventSourced: Sendable {
    init()
    /// Folds one event, given as its stored type and its payload upcast to the current version.
    mutating func evolve(type: String, payload: JSONValue) throws
}
