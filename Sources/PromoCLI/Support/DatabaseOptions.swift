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

    /// Connects once, so that a database that cannot be reached is one clear message at once, not a pool
    /// retrying for a minute and then reporting its circuit breaker.
    func checkReachable(logger: Logger) async throws {
        let url = try resolvedURL()
        do {
            let connection = try await PostgresConnection.connect(
                configuration: url.connectionConfiguration(), id: 0, logger: logger)
            try? await connection.close()
        } catch {
            let reason: String
            if let error = error as? PSQLError, let message = error.serverInfo?[.message] {
                reason = message
            } else if let error = error as? PSQLError, let underlying = error.underlying {
                reason = "\(underlying)"
            } else {
                reason = "\(error)"
            }
            throw DatabaseUnreachable(
                message: """
                    cannot reach the database \(url.location): \(reason)
                    Check DATABASE_URL (or --database-url) and that PostgreSQL is running; tools/demo and tools/test \
                    start a private one.
                    """)
        }
    }

    /// Runs `body` with a running connection pool and an event store on it, then shuts the pool down.
    func withStore<T: Sendable>(
        maxConnections: Int = 20, configuration: PostgresEventStore.Configuration = .init(),
        _ body: @escaping @Sendable (PostgresEventStore) async throws -> T
    ) async throws -> T {
        let logger = makeLogger()
        try await checkReachable(logger: logger)
        return try await Self.withStore(
            url: try resolvedURL(), maxConnections: maxConnections, logger: logger, configuration: configuration,
            body)
    }

    /// Runs `body` with a store on a running pool of `url` (another database than the options name: a
    /// benchmark's second one), then shuts the pool down.
    static func withStore<T: Sendable>(
        url: DatabaseURL, maxConnections: Int, logger: Logger,
        configuration: PostgresEventStore.Configuration = .init(),
        _ body: @escaping @Sendable (PostgresEventStore) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(
            configuration: try url.clientConfiguration(maxConnections: maxConnections), backgroundLogger: logger)
        let store = PostgresEventStore(client: client, logger: logger, configuration: configuration)
        return try await client.whileRunning { try await body(store) }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// The database could not be reached: said in words, without a usage text (it is not a usage error).
struct DatabaseUnreachable: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
