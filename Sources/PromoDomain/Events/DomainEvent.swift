/// An event of the domain: a fact that happened, stored in the event store under ``eventType``.
///
/// ``schemaVersion`` is the version of the payload shape this type decodes. Older stored versions are
/// brought to it by the ``Upcaster``s in ``DomainEvents/upcasters`` on every read path, so code only ever
/// sees the current shape. Each type and version has a JSON Schema under `EventSchemas/`.
public protocol DomainEvent: Codable, Sendable, Equatable {
    /// The stored type name, e.g. `StockReceived`. Never change it once events exist.
    static var eventType: String { get }
    /// The current payload version.
    static var schemaVersion: Int { get }
    /// A representative instance, used to check the event's JSON Schema.
    static var sample: Self { get }
}

extension DomainEvent {
    public static var schemaVersion: Int { 1 }
}
