import EventStore
import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction on a leased connection and rethrows `body`'s own error unwrapped.
    ///
    /// A failed `COMMIT` leaves the outcome open (the connection may have dropped after the server committed), so
    /// it becomes ``EventStoreError/Code/appendOutcomeUnknown``: the caller retries with the same Idempotency-Key.
    func inTransaction<T: Sendable>(
        logger: Logger, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await withOpenConnection { connection in try await connection.inTransaction(logger: logger, body)
            }
        } catch let error as TransactionCommitError {
            throw EventStoreError(
                .appendOutcomeUnknown, "the commit was not confirmed; retry with the same Idempotency-Key",
                underlying: error.underlying)
        } catch let error as TransactionBeginError {
            throw EventStoreError(
                .databaseUnavailable, "the database could not start a transaction", underlying: error.underlying)
        }
    }

    /// Every row of `query`, decoded, read on a leased connection before the lease goes back to the pool (a
    /// statement that fails mid-result must not lose the lease, see the event store's `leasedQuery`).
    func rows<Row: Sendable>(
        _ query: PostgresQuery, logger: Logger, _ decode: @Sendable (PostgresRow) throws -> Row
    ) async throws -> [Row] {
        try await withOpenConnection { connection in try await connection.rows(query, logger: logger, decode) }
    }
}

extension PostgresConnection {
    /// Every row of `query` on this connection (inside its transaction), decoded.
    func rows<Row: Sendable>(
        _ query: PostgresQuery, logger: Logger, _ decode: @Sendable (PostgresRow) throws -> Row
    ) async throws -> [Row] {
        var result: [Row] = []
        for try await row in try await self.query(query, logger: logger) { result.append(try decode(row)) }
        return result
    }
}

extension Error {
    /// True for a PostgreSQL unique violation on `constraint`.
    func isUniqueViolation(on constraint: String) -> Bool {
        guard let error = self as? PSQLError, error.code == .server else { return false }
        return error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw
            && error.serverInfo?[.constraintName] == constraint
    }
}
