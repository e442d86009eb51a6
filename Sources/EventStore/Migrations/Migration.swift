/// One versioned schema step. Steps run in version order, each once, inside one transaction per step.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// Statements run in order; one statement each (the extended query protocol runs one at a time).
    public var statements: [String]
    /// Whether the statements run in one transaction with the step's row (the default). A step that must not
    /// (`CREATE INDEX CONCURRENTLY`, which leaves appends running while it builds) runs each statement alone,
    /// then records itself; its statements must be safe to run again after an interruption.
    public var transactional: Bool

    public init(version: Int, name: String, statements: [String], transactional: Bool = true) {
        self.version = version
        self.name = name
        self.statements = statements
        self.transactional = transactional
    }

    /// A step that builds an index on a table appends keep writing to, without blocking them: an index left
    /// invalid by an interrupted build is dropped and built again on the next run.
    public static func concurrentIndex(version: Int, name: String, index: String, definition: String) -> Migration {
        Migration(
            version: version, name: name,
            statements: [
                "DROP INDEX CONCURRENTLY IF EXISTS \(index)",
                "CREATE INDEX CONCURRENTLY \(index) \(definition)",
            ], transactional: false)
    }
}

extension Migration {
    /// A statement that has PostgreSQL compress `table.column` with LZ4 from now on (rows stored before keep
    /// theirs); on a server built without LZ4 it leaves pglz and says so, so the step still applies.
    public static func compressWithLZ4(table: String, column: String, what: String) -> String {
        """
        DO $$
        BEGIN
            ALTER TABLE \(table) ALTER COLUMN \(column) SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
            RAISE NOTICE 'this PostgreSQL has no LZ4: \(what) stay compressed with pglz';
        END
        $$
        """
    }
}
