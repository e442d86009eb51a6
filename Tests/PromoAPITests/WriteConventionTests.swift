import HTTPTypes
import EventStore
import Foundation
import PostgresNIO
import HummingbirdTesting
import PromoDomain
import Testing

@testable import PromoAPI

/// Every write endpoint, one by one: auth, roles, malformed and unknown input, size, idempotency.
@Suite("Write conventions on every endpoint")
struct WriteConventionTests {
    /// A write endpoint with a valid body, the role that may use it and one that may not.
    struct Endpoint: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        /// The URI for the given SKU / id.
        var uri: @Sendable (String) -> String
        var body: String
        var role: AccessRole
        var wrongRole: AccessRole
        /// The stream the write appends to, for the given SKU / id.
        var stream: @Sendable (String) -> String
        var testDescription: String

        static let all: [Endpoint] = [
            .init(
                method: .put, uri: { "/v1/products/\($0)" }, body: productBody(), role: .marketing, wrongRole: .channel,
                stream: { "product-\($0)" }, testDescription: "PUT /v1/products/{sku}"),
            .init(
                method: .put, uri: { "/v1/stores/\($0)" },
                body: #"{"name":"成都春熙路店","region":"sichuan","channel":"store"}"#,
                role: .marketing, wrongRole: .analyst, stream: { "store-\($0)" },
                testDescription: "PUT /v1/stores/{storeId}"),
            .init(
                method: .post, uri: { "/v1/stock/\($0)/online/receipts" }, body: #"{"quantity":120}"#, role: .marketing,
                wrongRole: .auditor, stream: { "stock-\($0)@online" }, testDescription: "POST …/receipts"),
            .init(
                method: .post, uri: { "/v1/stock/\($0)/online/adjustments" }, body: #"{"delta":5,"reason":"recount"}"#,
                role: .marketing, wrongRole: .channel, stream: { "stock-\($0)@online" },
                testDescription: "POST …/adjustments"),
            .init(
                method: .put, uri: { "/v1/stock/\($0)/online/safety-stock" }, body: #"{"quantity":20}"#,
                role: .marketing, wrongRole: .analyst, stream: { "stock-\($0)@online" },
                testDescription: "PUT …/safety-stock"),
            .init(
                method: .put, uri: { "/v1/customers/\($0)" },
                body: """
                    {"name":"张三","phone":"13800138000","address":"成都市锦江区春熙路1号","region":"sichuan","tier":"gold",\
                    "tastePreferences":["spicy"],"consents":{"sms":true,"wechat":false,"app":true}}
                    """,
                role: .channel, wrongRole: .marketing, stream: { "customer-\($0)" },
                testDescription: "PUT /v1/customers/{customerId}"),
        ]
    }

    /// A fresh id; for stock endpoints, a product of that SKU exists.
    func prepare(_ endpoint: Endpoint, client: Client) async throws -> String {
        let id = APITest.id("T")
        if endpoint.uri(id).hasPrefix("/v1/stock/") {
            let reply = try await client.send(
                .put, "/v1/products/\(id)", key: try await APITest.key(.marketing), body: productBody())
            #expect(reply.status == .created)
        }
        return id
    }

    @Test("No key, an unknown key or a malformed header is 401; a key of another role is 403", arguments: Endpoint.all)
    func authentication(endpoint: Endpoint) async throws {
        let wrongRoleKey = try await APITest.key(endpoint.wrongRole)
        try await APITest.withApp { client in
            let uri = endpoint.uri("X-1")
            let none = try await client.send(endpoint.method, uri, body: endpoint.body)
            #expect(none.status == .unauthorized)
            #expect(none.errorCode == "unauthorized")
            let unknown = try await client.send(endpoint.method, uri, key: "plk_nobody_0000", body: endpoint.body)
            #expect(unknown.status == .unauthorized)
            let wrongRole = try await client.send(endpoint.method, uri, key: wrongRoleKey, body: endpoint.body)
            #expect(wrongRole.status == .forbidden)
            #expect(wrongRole.errorCode == "forbidden")
            #expect(wrongRole.json["error"]?["details"]?["role"] == .string(endpoint.wrongRole.rawValue))
        }
    }

    @Test("Malformed JSON, an unknown key and a missing field are 400s naming the field", arguments: Endpoint.all)
    func badInput(endpoint: Endpoint) async throws {
        let key = try await APITest.key(endpoint.role)
        try await APITest.withApp { client in
            let uri = endpoint.uri(APITest.id("B"))
            let malformed = try await client.send(endpoint.method, uri, key: key, body: #"{"quantity": 12,"#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "malformed_json")
            #expect(malformed.errorField == "(body)")

            var members = try JSONValue(parsing: endpoint.body).objectValue ?? [:]
            members["colour"] = "red"
            let unknown = try await client.send(
                endpoint.method, uri, key: key, body: JSONValue.object(members).canonicalString)
            #expect(unknown.status == .badRequest)
            #expect(unknown.errorCode == "unknown_field")
            #expect(unknown.errorField == "colour")

            members["colour"] = nil
            let firstField = members.keys.sorted().first!
            members[firstField] = nil
            let missing = try await client.send(
                endpoint.method, uri, key: key, body: JSONValue.object(members).canonicalString)
            #expect(missing.status == .badRequest)
            #expect(missing.errorCode == "missing_field")
            #expect(missing.errorField == firstField)
        }
    }

    @Test("A body over 1 MiB is a 413 in the error shape", arguments: Endpoint.all)
    func oversize(endpoint: Endpoint) async throws {
        let key = try await APITest.key(endpoint.role)
        let huge = #"{"name":""# + String(repeating: "x", count: 1 << 20) + #""}"#
        try await APITest.withApp { client in
            let reply = try await client.send(endpoint.method, endpoint.uri(APITest.id("O")), key: key, body: huge)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.errorCode == "body_too_large")
        }
    }

    @Test(
        "A repeat with the same Idempotency-Key gets the first response byte for byte and appends nothing",
        arguments: Endpoint.all)
    func idempotentRepeat(endpoint: Endpoint) async throws {
        let key = try await APITest.key(endpoint.role)
        try await APITest.withApp { client in
            let id = try await prepare(endpoint, client: client)
            let idempotencyKey = UUID().uuidString
            let first = try await client.send(
                endpoint.method, endpoint.uri(id), key: key, body: endpoint.body, idempotencyKey: idempotencyKey)
            #expect(first.status.code / 100 == 2, "\(first.text)")
            #expect(first.json["position"]?.intValue ?? 0 > 0)
            let eventsAfterFirst = try await APITest.storedEvents(endpoint.stream(id)).count
            #expect(eventsAfterFirst >= 1)

            let again = try await client.send(
                endpoint.method, endpoint.uri(id), key: key, body: endpoint.body, idempotencyKey: idempotencyKey)
            #expect(again.status == first.status)
            #expect(again.text == first.text)
            #expect(try await APITest.storedEvents(endpoint.stream(id)).count == eventsAfterFirst)

            let other = try await client.send(
                endpoint.method, endpoint.uri(id), key: key, body: endpoint.body + " ", idempotencyKey: idempotencyKey)
            #expect(other.status == .conflict)
            #expect(other.errorCode == "idempotency_key_reused")
            #expect(try await APITest.storedEvents(endpoint.stream(id)).count == eventsAfterFirst)

            // The key is scoped to the API key: another key may use the same Idempotency-Key.
            let otherKey = try await APITest.key(endpoint.role)
            let scoped = try await client.send(
                endpoint.method, endpoint.uri(id), key: otherKey, body: endpoint.body, idempotencyKey: idempotencyKey)
            #expect(scoped.status.code / 100 == 2)
        }
    }

    @Test(
        "Every event of a write records the acting key as actor and the Idempotency-Key as command id",
        arguments: Endpoint.all)
    func actor(endpoint: Endpoint) async throws {
        let store = try await APITest.store()
        let created = try await ApiKeyStore(store: store).create(
            role: endpoint.role, name: "actor test", actor: "tests")
        try await APITest.withApp { client in
            let id = try await prepare(endpoint, client: client)
            let reply = try await client.send(
                endpoint.method, endpoint.uri(id), key: created.secret, body: endpoint.body, idempotencyKey: "actor-1")
            #expect(reply.status.code / 100 == 2)
            let events = try await APITest.storedEvents(endpoint.stream(id))
            let metadata = try JSONValue(parsing: events.last!.metadata)
            #expect(metadata["actor"] == .string(created.keyId))
            #expect(metadata["commandId"] == .string("\(created.keyId):actor-1"))
        }
    }

    @Test("Recorded responses older than the retention are deleted; younger ones stay and still answer repeats")
    func idempotencyRetention() async throws {
        let store = try await APITest.store()
        let idempotency = IdempotencyStore(client: store.client, logger: store.logger)
        let keyId = APITest.id("k")
        try await store.client.withOpenConnection { connection in
            try await connection.query(
                """
                INSERT INTO idempotent_requests (key_id, idempotency_key, request_hash, status, body, recorded_at)
                VALUES (\(keyId), 'old', '\\x00', 200, '{}', now() - interval '25 hours'),
                       (\(keyId), 'new', '\\x00', 200, '{}', now() - interval '23 hours')
                """, logger: store.logger)
        }
        #expect(try await idempotency.deleteExpired(batch: 1) >= 1)
        #expect(try await idempotency.lookup(keyId: keyId, idempotencyKey: "old") == nil)
        #expect(try await idempotency.lookup(keyId: keyId, idempotencyKey: "new")?.status == 200)
    }
}
