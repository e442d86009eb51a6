import Logging
import PostgresNIO

/// Applies ``Migration``s: ordered, each exactly once, safe to run twice and from two processes at once.
///
/// Every run takes a transaction-scoped advisory lock first, so a second process waits and then finds
/// the steps applied; each step and its `schema_migrations` row commit together. Operators run it after any
/// restore, so it finishes by moving positions above the stored events when the database has moved to
/// another cluster (``PostgresEventStore/movePositionsIfNeeded()``).
public struct Migrator: Sendable {
    public var client: PostgresClient
    public var logger: Logger
    public var migrations: [Migration]

    /// The advisory lock key that serialises migration runs.
    static let lockKey: Int64 = 0x5052_4F4D_4F4D_4947  // "PROMOMIG"

    public init(client: PostgresClient, logger: Logger, migrations: [Migration] = EventStoreMigrations.all) {
        self.client = client
        self.logger = logger
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Applies what is missing; returns the versions applied now (empty when the schema was current).
    @discardableResult
    public func migrate(progress: (@Sendable (Migration) -> Void)? = nil) async throws -> [Int] {
        var applied: [Int] = []
        for migration in migrations {
            let didApply = try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                let rows = try await connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = \(migration.version)", logger: logger)
                for try await _ in rows { return false }
                progress?(migration)
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                return true
            }
            if didApply {
                logger.info(
                    "applied migration",
                    metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        if migrations.contains(where: { $0.version == EventStoreMigrations.movablePositions.version }) {
            try await PostgresEventStore(client: client, logger: logger).movePositionsIfNeeded()
        }
        return applied
    }

    /// The highest applied version, or 0 for an empty database.
    public func currentVersion() async throws -> Int {
        let exists = try await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        for try await found in exists.decode(Bool.self) where !found { return 0 }
        let rows = try await client.query(
            "SELECT coalesce(max(version), 0)::int4 FROM schema_migrations", logger: logger)
        for try await version in rows.decode(Int32.self) { return Int(version) }
        return 0
    }
}
