import Logging
import PostgresNIO

/// Applies ``Migration``s: ordered, each exactly once, safe to run twice and from two processes at once.
///
/// Every run takes a session-level advisory lock first, so a second process waits and then finds
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
    ///
    /// The whole run holds a session-level advisory lock on one connection, so two runs never interleave:
    /// the second waits for the first to finish and then finds every step applied. Each step and its
    /// `schema_migrations` row still commit in one transaction of their own.
    @discardableResult
    public func migrate(progress: (@Sendable (Migration) -> Void)? = nil) async throws -> [Int] {
        let applied = try await client.withOpenConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await applyMissing(on: connection, progress: progress)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                // The connection goes back to the pool: it must not keep the lock. A session that ended took the
                // lock with it, and nothing more may be sent on its connection.
                if !connection.isClosed, PostgresConnection.sessionSurvives(error) {
                    try? await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                }
                throw error
            }
        }
        if migrations.contains(where: { $0.version == EventStoreMigrations.movablePositions.version }) {
            try await PostgresEventStore(client: client, logger: logger).movePositionsIfNeeded()
        }
        return applied
    }

    private func applyMissing(
        on connection: PostgresConnection, progress: (@Sendable (Migration) -> Void)?
    ) async throws -> [Int] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var applied: [Int] = []
        for migration in migrations {
            // A step runs in one transaction with its row, unless it must not (see `Migration.transactional`).
            let didApply =
                migration.transactional
                ? try await connection.inTransaction(logger: logger) { connection in
                    try await apply(migration, on: connection, progress: progress)
                }
                : try await apply(migration, on: connection, progress: progress)
            if didApply {
                logger.info(
                    "applied migration",
                    metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        return applied
    }

    /// Runs `migration`'s statements and records it, unless it is recorded already; returns whether it ran.
    private func apply(
        _ migration: Migration, on connection: PostgresConnection, progress: (@Sendable (Migration) -> Void)?
    ) async throws -> Bool {
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

    /// The highest applied version, or 0 for an empty database.
    public func currentVersion() async throws -> Int {
        let exists = try await client.leasedValue(
            "SELECT to_regclass('schema_migrations') IS NOT NULL", as: Bool.self, logger: logger)
        guard exists == true else { return 0 }
        let version = try await client.leasedValue(
            "SELECT coalesce(max(version), 0)::int4 FROM schema_migrations", as: Int32.self, logger: logger)
        return Int(version ?? 0)
    }
}
