import Logging
import PostgresNIO
import ServiceLifecycle

/// Delivers every event of the store, exactly once and in global order, to a handler, from a durable checkpoint.
///
/// Each batch runs in one transaction: the handler gets the batch and that transaction's connection, and the
/// checkpoint moves in the same transaction. A read model written through that connection is therefore never
/// ahead of or behind its checkpoint, even when the process dies mid-batch. Batches come from
/// ``PostgresEventStore/readCommitted(after:limit:on:)``, so an event that commits late at a lower position
/// is waited for, never skipped.
public struct CatchUpSubscription: Service {
    public struct Configuration: Sendable {
        /// Events per batch. Default 500.
        public var batchSize: Int
        /// How long to wait for a notification before reading again anyway. Default 500 ms.
        public var pollInterval: Duration

        public init(batchSize: Int = 500, pollInterval: Duration = .milliseconds(500)) {
            self.batchSize = batchSize
            self.pollInterval = pollInterval
        }
    }

    public typealias Handler = @Sendable ([RecordedEvent], PostgresConnection) async throws -> Void

    public let name: String
    public let store: PostgresEventStore
    public let signal: WakeupSignal
    public let configuration: Configuration
    let handler: Handler

    public init(
        name: String, store: PostgresEventStore, signal: WakeupSignal, configuration: Configuration = Configuration(),
        handler: @escaping Handler
    ) {
        self.name = name
        self.store = store
        self.signal = signal
        self.configuration = configuration
        self.handler = handler
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var logger = store.logger
            logger[metadataKey: "projection.name"] = "\(name)"
            var checkpoint = try await Checkpoints(store: store).position(of: name)
            while !Task.isCancelled {
                let seen = await signal.current
                let delivered = try await processBatch(after: checkpoint, logger: logger)
                if let delivered {
                    checkpoint = delivered
                } else {
                    await signal.wait(after: seen, timeout: configuration.pollInterval)
                }
            }
        }
    }

    /// Reads and handles one batch; returns the new checkpoint, or nil when there was nothing to deliver.
    func processBatch(after checkpoint: Int64, logger: Logger) async throws -> Int64? {
        try await store.client.withOpenTransaction(logger: logger) { connection in
            let batch = try await store.readCommitted(
                after: checkpoint, limit: configuration.batchSize, on: connection)
            guard let last = batch.last else { return nil }
            try await handler(batch, connection)
            try await Checkpoints.save(name: name, position: last.position, on: connection, logger: logger)
            logger.trace(
                "batch delivered", metadata: ["es.position": "\(last.position)", "es.count": "\(batch.count)"])
            return last.position
        }
    }
}

/// Durable subscriber checkpoints: the last global position each subscriber has fully handled.
public struct Checkpoints: Sendable {
    public let store: PostgresEventStore

    public init(store: PostgresEventStore) { self.store = store }

    public func position(of name: String) async throws -> Int64 {
        try await store.client.leasedValue(
            "SELECT position FROM subscription_checkpoints WHERE name = \(name)", as: Int64.self, logger: store.logger)
            ?? 0
    }

    static func save(name: String, position: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO subscription_checkpoints (name, position) VALUES (\(name), \(position))
            ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()
            """, logger: logger)
    }

    /// Waits until subscriber `name` has handled `position` (read your own writes); false after `timeout`.
    public func waitUntil(_ name: String, reaches position: Int64, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await self.position(of: name) >= position { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
