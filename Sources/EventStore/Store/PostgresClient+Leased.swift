import Logging
import PostgresNIO
import Synchronization

extension PostgresClient {
    /// `withConnection`, but never on a connection that has already closed: postgres-nio 1.33 can lend one
    /// whose close (a killed session, a server restart) it has not yet processed, and a query written to it is
    /// never answered. Such a lease is handed back and another one taken after a pause that doubles each time
    /// (10 ms to 1.28 s, 2.5 s in all): the pool lends the same closed connection again until it has processed
    /// the close, which takes a moment on a loaded machine.
    public func withOpenConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        for attempt in 0..<8 {
            // Empty when the lease was a closed connection (a Result may itself be optional).
            let lease: [Result] = try await withConnection { connection in
                guard !connection.isClosed else { return [] }
                return [try await body(connection)]
            }
            if let result = lease.first { return result }
            try await Task.sleep(for: .milliseconds(10 << attempt))
        }
        throw EventStoreError(.databaseUnavailable, "the connection pool lent only closed connections")
    }

    /// ``withOpenConnection(_:)``, giving up with ``EventStoreError/Code/databaseUnavailable`` when no connection
    /// is lent within `limit`.
    ///
    /// While the database refuses connections, postgres-nio 1.33 keeps a lease waiting until its circuit
    /// breaker trips, a minute after the first failed attempt (not configurable through `PostgresClient`): a
    /// request would hang that long before its 503. Once the connection is lent, `body` runs to its end,
    /// however long it takes; only the wait for the lease is bounded.
    public func withOpenConnection<Result: Sendable>(
        waitingAtMost limit: Duration, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let wait = LeaseWait()
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await self.withOpenConnection { connection in
                    // Lent: the body runs, unless the limit passed first (then the lease goes straight back).
                    let lent = wait.settle(.lent)
                    guard lent else { throw CancellationError() }
                    return try await body(connection)
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit)  // cut short once the body has answered
                let expired = wait.settle(.expired)
                if expired {
                    throw EventStoreError(.databaseUnavailable, "no database connection could be had within \(limit)")
                }
                return nil
            }
            while let answer = try await group.next() {
                guard let answer else { continue }
                group.cancelAll()
                return answer
            }
            throw CancellationError()  // the body always answers or throws first
        }
    }

    /// Whichever comes first of the lease and the limit.
    private final class LeaseWait: Sendable {
        enum State { case waiting, lent, expired }
        private let state = Mutex(State.waiting)

        /// Moves a wait still open to `outcome`; true when `outcome` is what the wait came to.
        func settle(_ outcome: State) -> Bool {
            state.withLock { state in
                if state == .waiting { state = outcome }
                return state == outcome
            }
        }
    }

    /// `body` in a transaction (``PostgresConnection/inTransaction(logger:_:)``) on a connection that is open
    /// (``withOpenConnection(_:)``): postgres-nio's own `withTransaction` may get a closed connection, whose
    /// `BEGIN` is never answered.
    public func withOpenTransaction<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withOpenConnection { connection in try await connection.inTransaction(logger: logger, body) }
    }

    /// Runs `query` on a connection leased for this call, and has `read` consume its rows before the lease
    /// goes back to the pool.
    ///
    /// Every query the store sends through the pool goes this way rather than through `PostgresClient.query`:
    /// postgres-nio 1.33 never returns the lease of a `query` whose statement fails after its row description
    /// arrived (a `CALL` that raises, a statement cancelled or whose session is killed mid-result), and a pool
    /// that loses its connections one by one that way ends up stalling every later query of the process.
    ///
    /// A connection whose session the server ended (``PostgresConnection/sessionSurvives(_:)`` is false: a
    /// FATAL such as `pg_terminate_backend`) is closed before its lease goes back: the pool would otherwise hand
    /// the dying connection to the next caller, whose query then waits on it forever.
    public func leasedQuery<Result>(
        _ query: PostgresQuery, logger: Logger,
        _ read: (PostgresRowSequence) async throws -> Result
    ) async throws -> Result {
        try await withOpenConnection { connection in
            do {
                return try await read(try await connection.query(query, logger: logger))
            } catch {
                connection.closeIfSessionEnded(by: error)
                throw error
            }
        }
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

/// A transaction's `COMMIT` failed: whether it committed is unknown (the session may have ended after the server
/// committed).
public struct TransactionCommitError: Error, CustomStringConvertible {
    public var underlying: any Error
    public var description: String { "the commit was not confirmed: \(String(reflecting: underlying))" }
}

/// `BEGIN` failed: nothing ran.
public struct TransactionBeginError: Error, CustomStringConvertible {
    public var underlying: any Error
    public var description: String { "the transaction could not begin: \(String(reflecting: underlying))" }
}

extension PostgresConnection {
    /// Runs `query` for its effect and reads (and discards) whatever rows it returns: a row stream left unread
    /// holds the connection up.
    public func execute(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }

    /// Runs `body` in a transaction on this connection and rethrows `body`'s own error as it is; a failed
    /// `COMMIT` is a ``TransactionCommitError``, a failed `BEGIN` a ``TransactionBeginError``.
    ///
    /// Used instead of postgres-nio's `withTransaction`, whose `ROLLBACK` after the server ended the session
    /// (a FATAL error: `pg_terminate_backend`, a shutdown) waits forever on the dying connection. This one sends
    /// `ROLLBACK` only while the session lives; a session that ended has rolled back with it.
    public func inTransaction<T: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            try await execute("BEGIN", logger: logger)
        } catch {
            throw TransactionBeginError(underlying: error)
        }
        let value: T
        do {
            value = try await body(self)
        } catch {
            if !isClosed, Self.sessionSurvives(error) {
                // Outside the caller's task: a cancelled caller (the usual reason to get here) must still roll
                // back, or the connection would go back to the pool inside this transaction. A connection that
                // cannot roll back is closed.
                let rolledBack = await Task.detached {
                    (try? await self.execute("ROLLBACK", logger: logger)) != nil
                }.value
                if !rolledBack { try? await close() }
            }
            closeIfSessionEnded(by: error)
            throw error
        }
        do {
            try await execute("COMMIT", logger: logger)
        } catch {
            throw TransactionCommitError(underlying: error)
        }
        return value
    }

    /// Runs `body`, which works on this connection, and stops waiting for it once the connection has closed and
    /// `body` has not ended within `grace`: it then throws ``ConnectionAbandonedError`` and leaves `body` behind
    /// (cancelled, possibly suspended for good).
    ///
    /// For code that holds one connection for long (a projection worker holds its lease on one): postgres-nio
    /// 1.33 never answers a query written to a connection whose channel has already closed
    /// (`PostgresConnection.query` writes with `promise: nil`, and the write's failure is dropped), so a session
    /// killed between two queries (between two batches, or while the handler computes) would leave the next
    /// query waiting forever. A query the close interrupts fails on its own, within `grace`.
    public func abandoningWhenClosed<T: Sendable>(
        grace: Duration = .seconds(2), _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let work = Task { try await body() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = ResumeOnce(continuation)
                Task { outcome.resume(with: await work.result) }
                closeFuture.whenComplete { _ in
                    Task {
                        try? await Task.sleep(for: grace)
                        work.cancel()
                        outcome.resume(with: .failure(ConnectionAbandonedError()))
                    }
                }
            }
        } onCancel: {
            work.cancel()
        }
    }

    /// Every row of `query`, collected by postgres-nio on its event loop as they arrive, without back-pressure.
    ///
    /// Not the async row sequence: its back-pressure state machine stops the process (postgres-nio 1.33.2,
    /// RowStreamStateMachine.swift:94, "How can we receive a body part, after a channelReadComplete") when the
    /// server ends the session while rows wait for their consumer, as a killed session does. Closes the
    /// connection when the error ended its session (``closeIfSessionEnded(by:)``).
    @discardableResult
    public func allRows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        let result: EventLoopFuture<PostgresQueryResult> = self.query(query, logger: logger)
        do {
            return try await result.get().rows
        } catch {
            closeIfSessionEnded(by: error)
            throw error
        }
    }

    /// Closes this connection when `error` ended its session, so that its pool drops it instead of lending it
    /// out again (a query on it would never be answered). Does not wait for the close.
    public func closeIfSessionEnded(by error: any Error) {
        guard !isClosed, !Self.sessionSurvives(error) else { return }
        _ = self.close() as EventLoopFuture<Void>
    }

    /// False for an error that ends the session: a FATAL or PANIC from the server, or a connection-level failure.
    /// After such an error nothing more may be sent on the connection (postgres-nio 1.33 would wait forever).
    public static func sessionSurvives(_ error: any Error) -> Bool {
        if let error = error as? EventStoreError, let underlying = error.underlying {
            return sessionSurvives(underlying)
        }
        guard let error = error as? PSQLError else { return true }
        guard error.code == .server else { return error.code == .queryCancelled }
        let severity = error.serverInfo?[.severity] ?? error.serverInfo?[.localizedSeverity]
        return severity != "FATAL" && severity != "PANIC"
    }
}

/// A connection closed under work that did not end by itself (see
/// ``PostgresConnection/abandoningWhenClosed(grace:_:)``).
public struct ConnectionAbandonedError: Error, CustomStringConvertible {
    public init() {}
    public var description: String {
        "the connection closed and the work on it did not end; it was abandoned"
    }
}

/// A continuation resumed by whichever of several racers comes first; the later ones are ignored.
final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}

extension PostgresClient {
    /// Runs `body` while this pool runs, and stops the pool after. The pool is started before `body` begins: a
    /// lease taken before `run()` has been called works, but postgres-nio logs a warning for it, which every
    /// command of promoctl used to print. The pool's shutdown is not waited for: its connections are closed
    /// in the background, and nothing here can hang on it.
    public func whileRunning<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        let runner = Task {
            signal.finish()
            await self.run()
        }
        for await _ in started {}
        defer { runner.cancel() }
        return try await body()
    }
}
