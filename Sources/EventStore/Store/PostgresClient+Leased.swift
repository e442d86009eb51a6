import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `query` on a connection leased for this call, and has `read` consume its rows before the lease
    /// goes back to the pool.
    ///
    /// Every query the store sends through the pool goes this way rather than through `PostgresClient.query`:
    /// postgres-nio 1.33 never returns the lease of a `query` whose statement fails after its row description
    /// arrived (a `CALL` that raises, a statement cancelled or whose session is killed mid-result), and a pool
    /// that loses its connections one by one that way ends up stalling every later query of the process.
    public func leasedQuery<Result>(
        _ query: PostgresQuery, logger: Logger,
        _ read: (PostgresRowSequence) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in try await read(try await connection.query(query, logger: logger)) }
    }

    /// The first column of the first row of `query`, or nil when it returns no rows.
    public func leasedValue<Value: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, as type: Value.Type, logger: Logger
    ) async throws -> Value? {
        try await leasedQuery(query, logger: logger) { rows in
            for try await value in rows.decode(Value.self) { return value }
            return nil
        }
    }

    /// Runs `query` for its effect on a leased connection, reading (and discarding) any rows it returns.
    public func leasedExecute(_ query: PostgresQuery, logger: Logger) async throws {
        try await leasedQuery(query, logger: logger) { rows in
            for try await _ in rows {}
        }
    }
}
