import HTTPTypes
import Crypto
import EventStore
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import PromoDomain

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

    func lookup(keyId: String, idempotencyKey: String) async throws -> Recorded? {
        try await client.rows(
            """
            SELECT request_hash, status, body FROM idempotent_requests
            WHERE key_id = \(keyId) AND idempotency_key = \(idempotencyKey)
            """, logger: logger, Self.decode
        ).first
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

    @Sendable static func decode(_ row: PostgresRow) throws -> Recorded {
        let (hash, status, body) = try row.decode((Data, Int32, String).self)
        return Recorded(requestHash: hash, status: Int(status), body: body)
    }

    /// What makes two requests "the same": method, path and the body's bytes.
    static func requestHash(method: HTTPRequest.Method, path: String, body: ByteBuffer) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data("\(method.rawValue) \(path)\n".utf8))
        hasher.update(data: Data(body.readableBytesView))
        return Data(hasher.finalize())
    }
}
