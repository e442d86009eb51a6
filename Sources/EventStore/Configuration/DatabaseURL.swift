import Foundation
import PostgresNIO

/// Reads a `DATABASE_URL` (`postgres://user:password@host:port/database?host=/socket/dir`) into a client
/// configuration.
///
/// A `host` query parameter naming a directory selects the Unix socket `DIR/.s.PGSQL.PORT`, as libpq does.
/// TLS is not negotiated (`sslmode=disable`); the tools run PostgreSQL on a local socket.
public struct DatabaseURL: Sendable, Hashable {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var socketDirectory: String?

    public init(_ string: String) throws(EventStoreError) {
        guard let components = URLComponents(string: string),
            ["postgres", "postgresql"].contains(components.scheme ?? "")
        else {
            throw EventStoreError(
                .databaseUnavailable, "DATABASE_URL must look like postgres://user@host:5432/database")
        }
        user = components.user ?? "postgres"
        password = components.password
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        database = String(components.path.drop(while: { $0 == "/" }))
        if database.isEmpty { database = user }
        let query = components.queryItems ?? []
        socketDirectory = query.first(where: { $0.name == "host" })?.value.flatMap { $0.hasPrefix("/") ? $0 : nil }
        if let sslmode = query.first(where: { $0.name == "sslmode" })?.value,
            !["disable", "allow", "prefer"].contains(sslmode)
        {
            throw EventStoreError(
                .databaseUnavailable, "sslmode=\(sslmode) is not supported; use a local or tunnelled connection")
        }
    }

    /// A pool configuration for this URL with at most `maxConnections` connections.
    public func clientConfiguration(maxConnections: Int = 20) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        } else {
            configuration = .init(
                host: host, port: port, username: user, password: password, database: database, tls: .disable)
        }
        configuration.options.maximumConnections = maxConnections
        return configuration
    }

    /// A single connection's configuration for this URL (a check that the database answers, before a pool).
    public func connectionConfiguration() -> PostgresConnection.Configuration {
        if let socketDirectory {
            return .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: .disable)
    }

    /// Where this URL points, for messages: `user@host:port/database` or `user@socket-dir/database`.
    public var location: String {
        "\(user)@\(socketDirectory.map { "\($0) (socket)" } ?? "\(host):\(port)")/\(database)"
    }
}
