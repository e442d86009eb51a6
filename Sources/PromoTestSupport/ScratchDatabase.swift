import EventStore
import Foundation
import Logging
import PostgresNIO

/// A database of its own for a test that needs an empty one (migrations, restores), dropped at the end.
public struct ScratchDatabase: Sendable {
    /// Connects to the cluster's `postgres` database, where databases are created and dropped.
    public let admin: DatabaseURL
    public let url: DatabaseURL

    /// The URL of `database` on the cluster `base` points at.
    public static func url(_ base: DatabaseURL, database: String) -> DatabaseURL {
        var url = base
        url.database = database
        return url
    }

    /// Creates an empty database with a unique name on the cluster `base` points at.
    public static func create(on base: DatabaseURL, prefix: String = "scratch") async throws -> ScratchDatabase {
        let admin = url(base, database: "postgres")
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try await withClient(admin) { client in
            try await client.leasedExecute("CREATE DATABASE \(unescaped: name)", logger: TestDatabase.logger)
        }
        return ScratchDatabase(admin: admin, url: url(base, database: name))
    }

    /// Drops the database, ending any session still on it.
    public func drop() async throws {
        try await Self.withClient(admin) { client in
            try await client.leasedExecute(
                "DROP DATABASE IF EXISTS \(unescaped: url.database) WITH (FORCE)", logger: TestDatabase.logger)
        }
    }

    /// Runs `body` with a running pool on `url`, then shuts the pool down.
    public static func withClient<T: Sendable>(
        _ url: DatabaseURL, maxConnections: Int = 4, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(
            configuration: url.clientConfiguration(maxConnections: maxConnections),
            backgroundLogger: TestDatabase.logger)
        return try await client.whileRunning { try await body(client) }
    }

    /// Creates a database on the cluster `base` points at, migrates it with `migrations`, runs `body` with a store
    /// on it (and its URL, for processes of their own), and drops it, whether `body` succeeds or not.
    public static func withStore<T: Sendable>(
        on base: DatabaseURL, prefix: String, migrations: [Migration], maxConnections: Int = 4,
        _ body: @escaping @Sendable (DatabaseURL, PostgresEventStore) async throws -> T
    ) async throws -> T {
        let database = try await create(on: base, prefix: prefix)
        do {
            let result = try await withClient(database.url, maxConnections: maxConnections) { client in
                let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
                try await Migrator(client: client, logger: store.logger, migrations: migrations).migrate()
                return try await body(database.url, store)
            }
            try await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }
}
