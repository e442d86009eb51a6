import EventStore
import Logging
import PostgresNIO

/// What a projection does with a batch of its events.
public protocol ProjectionHandler: Sendable {
    /// Writes what `events` change, through `connection`, inside the batch's transaction (its search path is
    /// the generation's schema, so tables are named without one). `events` are the projection's types only,
    /// in position order. Throwing rolls the batch back; a batch that fails the same way again is narrowed to
    /// the event at fault, which is parked (``ProjectionWorker``).
    func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws
}

/// A read model: its SQL definition and its handler.
public struct Projection: Sendable {
    public var definition: ProjectionDefinition
    public var handler: any ProjectionHandler
    /// Events per batch while following the log.
    public var batchSize: Int
    /// Events per batch while a new generation is built from position 0.
    public var rebuildBatchSize: Int

    public var name: String { definition.name }

    public init(
        definition: ProjectionDefinition, handler: any ProjectionHandler, batchSize: Int = 500,
        rebuildBatchSize: Int = 5_000
    ) {
        self.definition = definition
        self.handler = handler
        self.batchSize = batchSize
        self.rebuildBatchSize = rebuildBatchSize
    }
}
