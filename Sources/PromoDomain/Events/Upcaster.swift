/// Turns a stored payload of `eventType` at `fromVersion` into the shape of `fromVersion + 1`.
///
/// Upcasters are pure and chain: a v1 payload passes through the v1→v2 and v2→v3 upcasters when both
/// exist. Stored events are never rewritten, which keeps the hash chain valid.
public struct Upcaster: Sendable {
    public var eventType: String
    public var fromVersion: Int
    public var transform: @Sendable (JSONValue) throws -> JSONValue

    public init(eventType: String, fromVersion: Int, transform: @escaping @Sendable (JSONValue) throws -> JSONValue) {
        self.eventType = eventType
        self.fromVersion = fromVersion
        self.transform = transform
    }
}

/// The upcasters a reader applies, keyed by type and version.
public struct UpcasterRegistry: Sendable {
    private var byKey: [Key: Upcaster] = [:]

    private struct Key: Hashable {
        var eventType: String
        var fromVersion: Int
    }

    public init(_ upcasters: [Upcaster] = []) {
        for upcaster in upcasters { register(upcaster) }
    }

    public mutating func register(_ upcaster: Upcaster) {
        byKey[Key(eventType: upcaster.eventType, fromVersion: upcaster.fromVersion)] = upcaster
    }

    /// Whether a payload of `eventType` stored at `schemaVersion` is changed by an upcaster.
    public func upcasts(eventType: String, schemaVersion: Int) -> Bool {
        byKey[Key(eventType: eventType, fromVersion: schemaVersion)] != nil
    }

    /// Applies every upcaster that chains from `schemaVersion`; returns the payload and its new version.
    public func upcast(eventType: String, schemaVersion: Int, payload: JSONValue) throws -> (JSONValue, Int) {
        var version = schemaVersion
        var value = payload
        while let upcaster = byKey[Key(eventType: eventType, fromVersion: version)] {
            value = try upcaster.transform(value)
            version += 1
        }
        return (value, version)
    }
}
