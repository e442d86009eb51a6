import EventStore
import Foundation
import Logging
import PostgresNIO
import PromoDomain

/// Test support, not product code: the real PostgreSQL the tests run against: `DATABASE_URL`, which tools/test sets to a fresh database.
///
/// One pool for the whole test process, migrated once; every test uses its own stream ids, so tests run in
/// parallel without seeing each other's streams.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The test database: `DATABASE_URL`.
    public static let url: DatabaseURL = {
        guard let raw = ProcessInfo.processInfo.environment["DATABASE_URL"], let url = try? DatabaseURL(raw) else {
            fatalError("DATABASE_URL is not set: run the tests with tools/test, which starts PostgreSQL")
        }
        return url
    }()

    public static let client: PostgresClient = {
        PostgresClient(configuration: url.clientConfiguration(maxConnections: 80), backgroundLogger: logger)
    }()

    private static let ready: Task<Void, any Error> = Task {
        // Running before the first lease (postgres-nio warns about a lease taken before `run()`).
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        Task.detached {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        try await Migrator(client: client, logger: logger).migrate()
        try await FaultTriggers.install(client: client, logger: logger)
    }

    /// A migrated store on the shared pool.
    public static func store(upcasters: UpcasterRegistry = DomainEvents.upcasters) async throws -> PostgresEventStore {
        try await ready.value
        return PostgresEventStore(client: client, logger: logger, upcasters: upcasters)
    }

    /// A stream id no other test uses.
    public static func uniqueStream(_ category: String = "test") -> StreamID {
        try! StreamID("\(category)-\(UUID().uuidString.lowercased())")
    }
}

/// A payload that says which writer and attempt produced it.
public func testEvent(_ type: String = "TestHappened", _ fields: [String: JSONValue] = [:]) -> NewEvent {
    NewEvent(type: type, payload: .object(fields), metadata: EventMetadata(correlationId: "test", actor: "tests"))
}
