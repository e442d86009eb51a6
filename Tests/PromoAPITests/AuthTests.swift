import PostgresNIO
import HTTPTypes
import EventStore
import Foundation
import HummingbirdTesting
import Logging
import PromoDomain
import PromoTestSupport
import Testing

@testable import PromoAPI

enum TestLogger {
    static var logger: Logger { TestDatabase.logger }
}

@Suite("API keys and roles")
struct AuthTests {
    @Test("GET /v1/me names the key; the stored hash is SHA-256 of the key, never the key")
    func me() async throws {
        let store = try await APITest.store()
        let created = try await ApiKeyStore(store: store).create(role: .analyst, name: "财务看板", actor: "tests")
        #expect(created.secret.hasPrefix("plk_\(created.keyId)_"))
        #expect(created.secret.utf8.count == 82)  // "plk_" + 13-character id + "_" + 64 hex digits
        try await APITest.withApp { client in
            let reply = try await client.send(.get, "/v1/me", key: created.secret)
            #expect(reply.status == .ok)
            #expect(reply.json == ["keyId": .string(created.keyId), "name": "财务看板", "role": "analyst"])
            #expect(try await client.send(.get, "/v1/me").status == .unauthorized)
            #expect(try await client.send(.get, "/v1/me", key: created.secret + "x").status == .unauthorized)
            #expect(try await client.send(.get, "/healthz").status == .ok)
            #expect(try await client.send(.get, "/openapi.json").status == .ok)
        }
        let hashes = try await store.client.withOpenConnection { connection in
            var found: [String] = []
            for try await hex in try await connection.query(
                "SELECT encode(key_hash, 'hex') FROM api_keys WHERE key_id = \(created.keyId)", logger: store.logger
            ).decode(String.self) { found.append(hex) }
            return found
        }
        #expect(hashes == [ApiKeyStore.hash(created.secret).map { String(format: "%02x", $0) }.joined()])
    }

    @Test("A revoked key is a 401; create and revoke are events with the actor, without the key")
    func revoke() async throws {
        let store = try await APITest.store()
        let keys = ApiKeyStore(store: store)
        let created = try await keys.create(role: .channel, name: "POS 春熙路", actor: "ops-zhang")
        try await APITest.withApp { client in
            #expect(try await client.send(.get, "/v1/me", key: created.secret).status == .ok)
            try await keys.revoke(keyId: created.keyId, actor: "ops-li")
            let reply = try await client.send(.get, "/v1/me", key: created.secret)
            #expect(reply.status == .unauthorized)
            #expect(reply.errorCode == "unauthorized")
        }
        let events = try await APITest.storedEvents("apikey-\(created.keyId)")
        #expect(events.map(\.type) == ["ApiKeyCreated", "ApiKeyRevoked"])
        #expect(try JSONValue(parsing: events[0].metadata)["actor"] == "ops-zhang")
        #expect(try JSONValue(parsing: events[1].metadata)["actor"] == "ops-li")
        #expect(
            try JSONValue(parsing: events[0].payload)
                == ["keyId": .string(created.keyId), "name": "POS 春熙路", "role": "channel"])
        #expect(!events.contains { $0.payload.contains(created.secret) })

        await #expect(throws: ApiKeyError.self) { try await keys.revoke(keyId: created.keyId, actor: "ops-li") }
        await #expect(throws: ApiKeyError.self) { try await keys.revoke(keyId: "k-none", actor: "ops-li") }
        let listed = try await keys.list().first { $0.keyId == created.keyId }
        #expect(listed?.revokedAt != nil)
        #expect(listed?.createdBy == "ops-zhang")
    }

    @Test("Reads check roles too: a channel key may not read stock or products")
    func readRoles() async throws {
        let channel = try await APITest.key(.channel)
        let analyst = try await APITest.key(.analyst)
        try await APITest.withApp { client in
            let products = try await client.send(.get, "/v1/products", key: channel)
            let stock = try await client.send(.get, "/v1/stock/X-1", key: channel)
            let allowed = try await client.send(.get, "/v1/products", key: analyst)
            let anonymous = try await client.send(.get, "/v1/products")
            #expect(products.status == .forbidden)
            #expect(stock.status == .forbidden)
            #expect(allowed.status == .ok)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test("A key over its request rate gets 429 rate_limited with Retry-After; other keys are not held back")
    func rateLimited() async throws {
        let (busy, other) = (try await APITest.key(.analyst), try await APITest.key(.analyst))
        let app = APIServer(
            configuration: .init(port: 0, requestsPerSecondPerKey: 0.1), store: try await APITest.store()
        )
        .makeApplication(services: [])
        try await app.test(.router) { base in
            let client = Client(base: base)
            // A burst of one (0.2, twice the rate, is less), then nothing for ten seconds: the second request is
            // refused even when a loaded machine takes seconds between the two.
            #expect(try await client.send(.get, "/v1/me", key: busy).status == .ok)
            let refused = try await client.send(.get, "/v1/me", key: busy)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.errorCode == "rate_limited")
            // 10 s to the next token, less the time between the two requests (the exact arithmetic is
            // `buckets()`'s, on an injected clock).
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int64($0) })
            #expect((1...10).contains(retryAfter))
            #expect(refused.json["error"]?["details"]?["retryAfterSeconds"] == .int(retryAfter))
            #expect(try await client.send(.get, "/v1/me", key: other).status == .ok)
        }
    }

    @Test("A token bucket refills at its rate, up to its burst")
    func buckets() {
        let limiter = RateLimiter(.init(perSecond: 10, burst: 3))
        let start = ContinuousClock.now
        #expect((0..<3).allSatisfy { _ in limiter.take("k", now: start) == nil })
        let wait = limiter.take("k", now: start)
        #expect(wait == .milliseconds(100))
        #expect(limiter.take("k", now: start + .milliseconds(100)) == nil)
        #expect(limiter.take("k", now: start + .milliseconds(100)) != nil)
        // A long pause refills to the burst, not beyond.
        let later = start + .seconds(60)
        #expect((0..<3).allSatisfy { _ in limiter.take("k", now: later) == nil })
        #expect(limiter.take("k", now: later) != nil)
    }
}
