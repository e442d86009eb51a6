import EventStore
import Foundation
import Logging
import PostgresNIO

/// The registry of a set of projections: their generations, the switch from one to the next, status, and the
/// operator's actions (rebuild, retry, skip). Workers (``ProjectionWorker``) and `promoctl` both use it.
public struct ProjectionCatalog: Sendable {
    public let store: PostgresEventStore
    public let projections: [Projection]

    public init(store: PostgresEventStore, projections: [Projection]) {
        self.store = store
        self.projections = projections
    }

    var client: PostgresClient { store.client }
    var logger: Logger { store.logger }

    /// Advisory lock class of a projection's lease (held by its worker's session): "PRJL".
    static let leaseClass: Int32 = 0x5052_4A4C
    /// Advisory lock class that serialises a projection's schema changes (new generation, switch): "PRJD".
    static let ddlClass: Int32 = 0x5052_4A44

    /// The projection called `name`, or an error that lists the known ones.
    public func projection(named name: String) throws -> Projection {
        guard let projection = projections.first(where: { $0.name == name }) else {
            throw ProjectionError.unknown(name, known: projections.map(\.name))
        }
        return projection
    }

    // MARK: Generations

    /// One build of a projection into a schema of its own.
    public struct Generation: Sendable, Hashable {
        public enum State: String, Sendable { case building, live, retired }
        public var name: String
        public var generation: Int
        public var version: Int
        public var schema: String
        public var state: State
        /// `running` or `failed` (stopped at a parked event until an operator retries or skips it).
        public var failed: Bool
        public var position: Int64
        public var eventsDone: Int64
        public var eventsTotal: Int64
        public var lastEventAt: Date?
    }

    static let generationColumns = """
        name, generation, version, schema_name, state, status, position, events_done, events_total, last_event_at
        """

    /// The live and building generations of `name` (on `connection` when given).
    public func generations(of name: String, on connection: PostgresConnection? = nil) async throws -> [Generation] {
        try await store.collect(
            """
            SELECT \(unescaped: Self.generationColumns) FROM projection_generations
            WHERE name = \(name) AND state <> 'retired' ORDER BY generation
            """, on: connection
        ) { rows in
            var result: [Generation] = []
            for try await row in rows.decode(
                (String, Int32, Int32, String, String, String, Int64, Int64, Int64, Date?).self)
            {
                result.append(Self.generation(row))
            }
            return result
        }
    }

    static func generation(_ row: (String, Int32, Int32, String, String, String, Int64, Int64, Int64, Date?))
        -> Generation
    {
        Generation(
            name: row.0, generation: Int(row.1), version: Int(row.2), schema: row.3,
            state: Generation.State(rawValue: row.4) ?? .retired, failed: row.5 == "failed", position: row.6,
            eventsDone: row.7, eventsTotal: row.8, lastEventAt: row.9)
    }

    /// Creates a generation of `projection` at its current version: its schema, its tables, its registry row.
    /// A `live` one (the first) also gets the views; a `building` one is returned as it is when one exists.
    @discardableResult
    public func createGeneration(
        of projection: Projection, state: Generation.State, on connection: PostgresConnection
    ) async throws -> Generation {
        try await connection.inTransaction(logger: logger) { connection in
            try await connection.execute(
                "SELECT pg_advisory_xact_lock(\(Self.ddlClass), hashtext(\(projection.name)))", logger: logger)
            let existing = try await generations(of: projection.name, on: connection)
            if let same = existing.first(where: { $0.state == state }) { return same }
            let number =
                try await connection.query(
                    "SELECT coalesce(max(generation), 0) + 1 FROM projection_generations WHERE name = \(projection.name)",
                    logger: logger
                ).collect().first?.decode(Int32.self) ?? 1
            let schema = "rm_\(projection.name)_g\(number)"
            try await connection.execute("CREATE SCHEMA \(unescaped: schema)", logger: logger)
            // A rebuild gets its secondary indexes once it has caught up (``completeIndexes(of:on:)``); the first
            // generation, read while it is built, gets them at once.
            let definition = projection.definition
            let pending = state == .building ? definition.secondaryIndexStatements : []
            try await connection.execute("SET LOCAL search_path TO \(unescaped: schema), public", logger: logger)
            for statement in state == .building ? definition.tableStatements : definition.statements {
                try await connection.execute(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.execute("SET LOCAL search_path TO DEFAULT", logger: logger)
            let types = projection.definition.consumes
            let total =
                try await connection.query(
                    types.isEmpty
                        ? "SELECT count(*) FROM events"
                        : "SELECT count(*) FROM events WHERE event_type = ANY(\(types))", logger: logger
                ).collect().first?.decode(Int64.self) ?? 0
            try await connection.execute(
                """
                INSERT INTO projection_generations (name, generation, version, schema_name, state, events_total,
                                                    indexes_pending)
                VALUES (\(projection.name), \(number), \(Int32(projection.definition.version)), \(schema),
                        \(state.rawValue), \(total), \(pending))
                """, logger: logger)
            if state == .live {
                try await pointViews(at: schema, tables: projection.definition.tables, replacing: [], on: connection)
            }
            logger.info(
                "projection generation created",
                metadata: [
                    "projection.name": "\(projection.name)", "projection.generation": "\(number)",
                    "projection.state": "\(state.rawValue)",
                ])
            return Generation(
                name: projection.name, generation: Int(number), version: projection.definition.version,
                schema: schema, state: state, failed: false, position: 0, eventsDone: 0, eventsTotal: total,
                lastEventAt: nil)
        }
    }

    /// Makes the building generation live when it has caught up with the live one; the old one is retired and
    /// its schema dropped. Readers switch in one transaction: the views in `rm` are replaced with the rows.
    /// Returns false when the building one is still behind.
    func switchOver(_ projection: Projection, on connection: PostgresConnection) async throws -> Bool {
        try await completeIndexes(of: projection, on: connection)
        let retired: String? = try await connection.inTransaction(logger: logger) { connection in
            try await connection.execute(
                "SELECT pg_advisory_xact_lock(\(Self.ddlClass), hashtext(\(projection.name)))", logger: logger)
            let current = try await generations(of: projection.name, on: connection)
            guard let building = current.first(where: { $0.state == .building }), !building.failed else {
                return nil
            }
            let live = current.first(where: { $0.state == .live })
            if let live, building.position < live.position { return nil }
            let pending = try await connection.query(
                """
                SELECT cardinality(indexes_pending) FROM projection_generations
                WHERE name = \(projection.name) AND generation = \(Int32(building.generation))
                """, logger: logger
            ).collect().first?.decode(Int.self)
            if (pending ?? 0) > 0 { return nil }
            try await connection.execute(
                """
                UPDATE projection_generations SET state = 'retired', updated_at = now()
                WHERE name = \(projection.name) AND state = 'live'
                """, logger: logger)
            try await connection.execute(
                """
                UPDATE projection_generations SET state = 'live', switched_at = now(), updated_at = now()
                WHERE name = \(projection.name) AND generation = \(Int32(building.generation))
                """, logger: logger)
            try await pointViews(
                at: building.schema, tables: projection.definition.tables,
                replacing: try await viewTables(
                    of: live?.schema, on: connection), on: connection)
            return live?.schema ?? ""
        }
        guard let retired else { return false }
        if !retired.isEmpty {
            try await connection.execute("DROP SCHEMA IF EXISTS \(unescaped: retired) CASCADE", logger: logger)
        }
        logger.info("projection switched to its new generation", metadata: ["projection.name": "\(projection.name)"])
        return true
    }

    /// Makes the secondary indexes a building generation was created without (``ProjectionDefinition/
    /// secondaryIndexStatements``), once it has caught up with the live one: in a transaction of their own
    /// before the switch, which stays short. The generation is written only by the worker that calls this, so
    /// the lock `CREATE INDEX` takes holds up no one; a crash leaves them pending, to be made on the next try.
    func completeIndexes(of projection: Projection, on connection: PostgresConnection) async throws {
        try await connection.inTransaction(logger: logger) { connection in
            try await connection.execute(
                "SELECT pg_advisory_xact_lock(\(Self.ddlClass), hashtext(\(projection.name)))", logger: logger)
            let current = try await generations(of: projection.name, on: connection)
            guard let building = current.first(where: { $0.state == .building }), !building.failed else { return }
            if let live = current.first(where: { $0.state == .live }), building.position < live.position { return }
            let rows = try await connection.query(
                """
                SELECT indexes_pending FROM projection_generations
                WHERE name = \(projection.name) AND generation = \(Int32(building.generation))
                """, logger: logger
            ).collect()
            let pending = try rows.first?.decode([String].self) ?? []
            guard !pending.isEmpty else { return }
            let started = ContinuousClock.now
            try await connection.execute(
                "SET LOCAL search_path TO \(unescaped: building.schema), public", logger: logger)
            for statement in pending {
                try await connection.execute(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.execute("SET LOCAL search_path TO DEFAULT", logger: logger)
            try await connection.execute(
                """
                UPDATE projection_generations SET indexes_pending = '{}', updated_at = now()
                WHERE name = \(projection.name) AND generation = \(Int32(building.generation))
                """, logger: logger)
            logger.info(
                "projection indexes made for the new generation",
                metadata: [
                    "projection.name": "\(projection.name)", "projection.indexes": "\(pending.count)",
                    "projection.duration": "\(ContinuousClock.now - started)",
                ])
        }
    }

    /// The views of `rm` that read from `schema`.
    private func viewTables(of schema: String?, on connection: PostgresConnection) async throws -> [String] {
        guard let schema else { return [] }
        var tables: [String] = []
        for try await table in try await connection.query(
            """
            SELECT DISTINCT v.view_name::text FROM information_schema.view_table_usage v
            WHERE v.view_schema = 'rm' AND v.table_schema = \(schema)
            """, logger: logger
        ).decode(String.self) {
            tables.append(table)
        }
        return tables
    }

    private func pointViews(
        at schema: String, tables: [String], replacing old: [String], on connection: PostgresConnection
    ) async throws {
        for table in Set(old).union(tables).sorted() {
            try await connection.execute(
                "DROP VIEW IF EXISTS rm.\(unescaped: table)", logger: logger)
        }
        for table in tables {
            try await connection.execute(
                """
                CREATE VIEW rm.\(unescaped: table)
                AS SELECT * FROM \(unescaped: schema).\(unescaped: table)
                """, logger: logger)
        }
    }
}

/// What an operator asked for that cannot be done.
public enum ProjectionError: Error, CustomStringConvertible, Sendable {
    case unknown(String, known: [String])
    case nothingParked(String)

    public var description: String {
        switch self {
        case .unknown(let name, let known):
            "there is no projection '\(name)'; the projections are: \(known.joined(separator: ", "))"
        case .nothingParked(let name):
            "projection '\(name)' has no parked event; `promoctl projections status` shows its state"
        }
    }
}
