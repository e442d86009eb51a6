import HTTPTypes
import Crypto
import EventStore
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import PromoDomain
import ServiceLifecycle

/// The first response to each (API key, `Idempotency-Key`), in `idempotent_requests`.
///
/// The row is written in the transaction that appends the command's events, so it commits with them or not at
/// all. A repeat that arrives while the first is running waits on the row's lock, then fails on the key and
/// finds the recorded answer.
struct IdempotencyStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// A recorded first response.
    struct Recorded: Sendable {
        var requestHash: Data
        var status: Int
        var body: String

        /// The first response again, byte for byte, or a 409 when the key came with another request.
        func replay(for requestHash: Data) throws(APIError) -> Response {
            guard requestHash == self.requestHash else {
                throw APIError(
                    .conflict, code: "idempotency_key_reused",
                    message: "this Idempotency-Key was used before with a different request")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return Response(
                status: HTTPResponse.Status(code: status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    /// The recorded response of one (API key, Idempotency-Key) pair.
    func lookup(keyId: String, idempotencyKey: String) async throws -> Recorded? {
        try await lookup([(keyId, idempotencyKey)])[Key(keyId: keyId, idempotencyKey: idempotencyKey)]
    }

    /// The recorded responses of several (API key, Idempotency-Key) pairs, in one query: what a batch of commands
    /// answers without deciding again.
    func lookup(_ keys: [(keyId: String, idempotencyKey: String)]) async throws -> [Key: Recorded] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await client.rows(
            """
            SELECT r.key_id, r.idempotency_key, r.request_hash, r.status, r.body
            FROM unnest(\(keys.map(\.keyId))::text[], \(keys.map(\.idempotencyKey))::text[]) AS k(key_id, idempotency_key)
            JOIN idempotent_requests r USING (key_id, idempotency_key)
            """, logger: logger
        ) { row in
            let (keyId, key, hash, status, body) = try row.decode((String, String, Data, Int32, String).self)
            return (
                Key(keyId: keyId, idempotencyKey: key), Recorded(requestHash: hash, status: Int(status), body: body)
            )
        }
        return Dictionary(rows) { first, _ in first }
    }

    /// An (API key, Idempotency-Key) pair.
    struct Key: Hashable, Sendable {
        var keyId: String
        var idempotencyKey: String
    }

    /// A response to record: the first answer to (API key, Idempotency-Key).
    struct Row: Sendable {
        var keyId: String
        var idempotencyKey: String
        var requestHash: Data
        var status: Int
        var body: String
    }

    /// Records the responses of a batch's commands in the transaction that appends their events, in one
    /// statement. A repeat committed first makes it fail with a unique violation on `idempotent_requests_pkey`
    /// (one still running makes it wait for that one's outcome).
    func record(_ rows: [Row], on connection: PostgresConnection) async throws {
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO idempotent_requests (key_id, idempotency_key, request_hash, status, body)
            SELECT key_id, idempotency_key, decode(hash, 'hex'), status, body
            FROM unnest(\(rows.map(\.keyId))::text[], \(rows.map(\.idempotencyKey))::text[],
                        \(rows.map(\.requestHash.hexString))::text[],
                        \(rows.map { Int32($0.status) })::int4[], \(rows.map(\.body))::text[])
                 AS row(key_id, idempotency_key, hash, status, body)
            """, logger: logger)
    }

    /// What makes two requests "the same": method, path and the body's bytes.
    static func requestHash(method: HTTPRequest.Method, path: String, body: ByteBuffer) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data("\(method.rawValue) \(path)\n".utf8))
        hasher.update(data: Data(body.readableBytesView))
        return Data(hasher.finalize())
    }
}

extension IdempotencyStore {
    /// How long a recorded response answers a repeat: 24 hours, as payment APIs keep theirs. A client retries
    /// within minutes; a key older than this is taken as a new request.
    static let retention: Duration = .seconds(24 * 3_600)

    /// Deletes recorded responses older than `retention`, at most `batch` rows per statement so no transaction
    /// holds many rows (or the store's watermark) for long. Returns how many went.
    @discardableResult
    func deleteExpired(olderThan retention: Duration = Self.retention, batch: Int = 5_000) async throws -> Int {
        let seconds = Double(retention.components.seconds)
        var deleted = 0
        while true {
            let rows = try await client.rows(
                """
                WITH expired AS (
                    SELECT key_id, idempotency_key FROM idempotent_requests
                    WHERE recorded_at < now() - make_interval(secs => \(seconds))
                    LIMIT \(Int64(batch)))
                DELETE FROM idempotent_requests r USING expired e
                WHERE r.key_id = e.key_id AND r.idempotency_key = e.idempotency_key
                RETURNING 1
                """, logger: logger
            ) { _ in 1 }
            deleted += rows.count
            if rows.count < batch { return deleted }
        }
    }
}

/// Runs `IdempotencyStore.deleteExpired` at start and then every hour, until the server shuts down; a failure
/// (the database away for a while) is logged and tried again at the next turn.
public struct IdempotencyCleanup: Service {
    let store: IdempotencyStore
    let every: Duration

    public init(client: PostgresClient, logger: Logger, every: Duration = .seconds(3_600)) {
        self.store = IdempotencyStore(client: client, logger: logger)
        self.every = every
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let deleted = try await store.deleteExpired()
                if deleted > 0 {
                    store.logger.info("deleted expired idempotency records", metadata: ["count": "\(deleted)"])
                }
            } catch {
                store.logger.warning(
                    "could not delete expired idempotency records", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }
}
