/// One versioned schema step. Steps run in version order, each once, inside one transaction per step.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// Statements run in order; one statement each (the extended query protocol runs one at a time).
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
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
