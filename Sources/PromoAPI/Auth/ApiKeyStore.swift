import Crypto
import EventStore
import Foundation
import Logging
import PostgresNIO
import PromoDomain

/// Creates, lists, revokes and checks API keys. Only a key's SHA-256 is stored; the key is shown once, at creation.
///
/// Creating and revoking append `ApiKeyCreated` / `ApiKeyRevoked` to `apikey-{keyId}` in the same transaction
/// as the table change, with the acting operator or key as `actor`.
public struct ApiKeyStore: Sendable {
    public let store: PostgresEventStore
    /// How long a key check waits for a database connection before the request is answered 503. Default 5 s.
    public var connectionWait: Duration

    public init(store: PostgresEventStore, connectionWait: Duration = .seconds(5)) {
        self.store = store
        self.connectionWait = connectionWait
    }

    var logger: Logger { store.logger }

    /// Creates a key; the returned ``CreatedApiKey/secret`` is the only copy of the key there will be.
    public func create(role: AccessRole, name: String, actor: String) async throws -> CreatedApiKey {
        let name = try InputLimits.text(name, field: "name", length: InputLimits.nameLength)
        let keyId = "k" + Self.randomHex(bytes: 6)
        let secret = "plk_\(keyId)_" + Self.randomHex(bytes: 32)
        let hash = Self.hash(secret)
        let event = try NewEvent(
            ApiKeyCreated(keyId: keyId, name: name, role: role.rawValue), metadata: EventMetadata(actor: actor))
        let position = try await store.client.inTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO api_keys (key_id, name, role, key_hash, created_by)
                VALUES (\(keyId), \(name), \(role.rawValue), \(hash), \(actor))
                """, logger: logger)
            return try await store.append(
                to: try StreamID(category: "apikey", id: keyId), expectedVersion: .noStream, events: [event],
                on: connection
            ).lastPosition
        }
        return CreatedApiKey(keyId: keyId, name: name, role: role, secret: secret, position: position)
    }

    /// Every key, newest first, revoked ones included.
    public func list() async throws -> [ApiKeyInfo] {
        try await store.client.rows(
            """
            SELECT key_id, name, role, created_at, created_by, revoked_at FROM api_keys
            ORDER BY created_at DESC, key_id
            """, logger: logger
        ) { row in
            let (keyId, name, role, createdAt, createdBy, revokedAt) = try row.decode(
                (String, String, String, Date, String, Date?).self)
            return ApiKeyInfo(
                keyId: keyId, name: name, role: AccessRole(rawValue: role) ?? .channel, createdAt: createdAt,
                createdBy: createdBy, revokedAt: revokedAt)
        }
    }

    /// Revokes a key: from now on it is answered 401. Fails with ``ApiKeyError/Code/unknownKey`` or
    /// ``ApiKeyError/Code/alreadyRevoked``.
    @discardableResult
    public func revoke(keyId: String, actor: String) async throws -> Int64 {
        let event = try NewEvent(ApiKeyRevoked(keyId: keyId), metadata: EventMetadata(actor: actor))
        return try await store.client.inTransaction(logger: logger) { connection in
            let states = try await connection.rows(
                "SELECT revoked_at IS NOT NULL FROM api_keys WHERE key_id = \(keyId) FOR UPDATE", logger: logger
            ) { try $0.decode(Bool.self) }
            guard let revoked = states.first else { throw ApiKeyError(.unknownKey, "no API key \(keyId)") }
            guard !revoked else { throw ApiKeyError(.alreadyRevoked, "API key \(keyId) is already revoked") }
            try await connection.query(
                "UPDATE api_keys SET revoked_at = now(), revoked_by = \(actor) WHERE key_id = \(keyId)",
                logger: logger)
            return try await store.append(
                to: try StreamID(category: "apikey", id: keyId), expectedVersion: .any, events: [event],
                on: connection
            ).lastPosition
        }
    }

    /// The key a request presents, if it exists and is not revoked.
    public func authenticate(secret: String) async throws -> Principal? {
        guard secret.utf8.count <= 200 else { return nil }
        let hash = Self.hash(secret)
        let logger = self.logger
        // The first database access of every request: while the database is out of reach, a request is answered
        // 503 within `connectionWait` instead of hanging until the pool gives up.
        return try await store.client.withOpenConnection(waitingAtMost: connectionWait) { connection in
            try await connection.rows(
                "SELECT key_id, name, role FROM api_keys WHERE key_hash = \(hash) AND revoked_at IS NULL",
                logger: logger
            ) { row in
                let (keyId, name, role) = try row.decode((String, String, String).self)
                return Principal(keyId: keyId, name: name, role: AccessRole(rawValue: role) ?? .channel)
            }.first
        }
    }

    static func hash(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// A key just created: `secret` is the key itself, shown once and never stored.
public struct CreatedApiKey: Sendable {
    public var keyId: String
    public var name: String
    public var role: AccessRole
    public var secret: String
    /// The position of its `ApiKeyCreated` event.
    public var position: Int64
}

/// A stored key, as `promoctl keys list` shows it.
public struct ApiKeyInfo: Sendable, Equatable {
    public var keyId: String
    public var name: String
    public var role: AccessRole
    public var createdAt: Date
    public var createdBy: String
    public var revokedAt: Date?
}
