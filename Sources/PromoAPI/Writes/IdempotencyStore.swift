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
/// A row is reserved at the start of the transaction that appends the command's events and completed in it,
/// so it commits with them or not at all. A repeat that arrives while the first is running waits on the row's
/// lock, then finds the completed row.
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

    /// Takes the row for this key inside the caller's transaction; a concurrent holder makes this wait, and
    /// one that committed makes it fail with a unique violation on `idempotent_requests_pkey`.
    func reserve(on connection: PostgresConnection, keyId: String, idempotencyKey: String, requestHash: Data)
        async throws
    {
        try await connection.query(
            """
            INSERT INTO idempotent_requests (key_id, idempotency_key, request_hash, status, body)
            VALUES (\(keyId), \(idempotencyKey), \(requestHash), 0, '')
            """, logger: logger)
    }

    func complete(
        on connection: PostgresConnection, keyId: String, idempotencyKey: String, status: Int, body: String
    ) async throws {
        try await connection.query(
            """
            UPDATE idempotent_requests SET status = \(Int32(status)), body = \(body)
            WHERE key_id = \(keyId) AND idempotency_key = \(idempotencyKey)
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
