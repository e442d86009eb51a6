import ArgumentParser
import EventStore
import Foundation
import Logging
import PostgresNIO

/// The database options every command that touches storage shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL; defaults to $DATABASE_URL.")
    var databaseURL: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func makeLogger(label: String = "promoctl") -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }

    func resolvedURL() throws -> DatabaseURL {
        guard let raw = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], !raw.isEmpty else {
            throw ValidationError(
                "no database: set DATABASE_URL or pass --database-url (tools/demo and tools/test start a private PostgreSQL for you)"
            )
        }
        do { return try DatabaseURL(raw) } catch { throw ValidationError(error.message) }
    }

    /// A connection pool for the resolved URL; run it (a `Service`) before leasing from it.
    func makeClient(maxConnections: Int, logger: Logger) throws -> PostgresClient {
        PostgresClient(
            configuration: try resolvedURL().clientConfiguration(maxConnections: maxConnections),
            backgroundLogger: logger)
    }

    /// Runs `body` with a running connection pool and an event store on it, then shuts the pool down.
    func withStore<T: Sendable>(
        maxConnections: Int = 20, configuration: PostgresEventStore.Configuration = .init(),
        _ body: @escaping @Sendable (PostgresEventStore) async throws -> T
    ) async throws -> T {
        let logger = makeLogger()
        let client = try makeClient(maxConnections: maxConnections, logger: logger)
        let store = PostgresEventStore(client: client, logger: logger, configuration: configuration)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
