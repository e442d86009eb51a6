import HTTPTypes
import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import PromoDomain
import ProjectionRuntime
import PromoProjections
import PromoTestSupport
import Testing

@testable import PromoAPI

/// The test database with the API's schema steps too, an app on it, keys per role, and a terse client.
enum APITest {
    private static let migrated = Task<PostgresEventStore, any Error> {
        let store = try await TestDatabase.store()
        try await Migrator(client: store.client, logger: store.logger, migrations: APIMigrations.afterEventStore)
            .migrate()
        return store
    }

    static func store() async throws -> PostgresEventStore { try await migrated.value }

    /// A new key of `role`, as `promoctl keys create` makes it.
    static func key(_ role: AccessRole, name: String = "tests") async throws -> String {
        try await ApiKeyStore(store: store()).create(role: role, name: name, actor: "tests").secret
    }

    /// A new key of `role` with its id, for tests that look for the events it wrote (`actor` = the key id).
    static func createdKey(_ role: AccessRole) async throws -> (keyId: String, secret: String) {
        let created = try await ApiKeyStore(store: store()).create(role: role, name: "tests", actor: "tests")
        return (created.keyId, created.secret)
    }

    /// How many events in the whole store name `actor` in their metadata: what one key wrote, whatever the
    /// stream, however many other tests write beside it.
    static func eventCount(actor: String) async throws -> Int {
        let store = try await store()
        return try await store.client.withOpenConnection { connection in
            var count = 0
            for try await value in try await connection.query(
                "SELECT count(*)::int8 FROM events WHERE metadata->>'actor' = \(actor)", logger: store.logger
            ).decode(Int64.self) { count = Int(value) }
            return count
        }
    }

    /// Runs `body` against the router of a fresh app (its own stream locks, like another process).
    static func withApp(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let app = APIServer(configuration: .init(port: 0), store: try await store()).makeApplication(services: [])
        try await app.test(.router) { client in try await body(Client(base: client)) }
    }

    /// A unique id for this test's resources: `HP-3f9a0c1d`.
    static func id(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

    /// An event of a stream as stored.
    struct StoredEvent: Sendable {
        var position: Int64
        var type: String
        var payload: String
        var metadata: String
    }

    /// The events of one stream as stored (the table itself, no upcasting), in version order.
    static func storedEvents(_ streamId: String) async throws -> [StoredEvent] {
        let store = try await store()
        return try await store.client.withOpenConnection { connection in
            var rows: [StoredEvent] = []
            let query: PostgresQuery = """
                SELECT position, event_type, payload::text, metadata::text FROM events WHERE stream_id = \(streamId)
                ORDER BY stream_version
                """
            for try await (position, type, payload, metadata) in try await connection.query(
                query, logger: store.logger
            ).decode((Int64, String, String, String).self) {
                rows.append(StoredEvent(position: position, type: type, payload: payload, metadata: metadata))
            }
            return rows
        }
    }
}

/// An app on a database of its own, with its projection workers running and a key of each role: for tests
/// that read the read models, which take in every event of their types (the shared test database holds other
/// tests' events, some deliberately malformed).
struct OwnDatabase: Sendable {
    var client: Client
    var store: PostgresEventStore
    var catalog: ProjectionCatalog
    var keys: [AccessRole: String]

    func key(_ role: AccessRole) -> String { keys[role] ?? "" }

    /// Creates and migrates a database named after `prefix`, runs `body`, and drops the database after.
    static func with(prefix: String, _ body: @escaping @Sendable (OwnDatabase) async throws -> Void) async throws {
        let scratch = try await ScratchDatabase.create(on: TestDatabase.url, prefix: prefix)
        do {
            // A connection per projection worker (each holds one for its lease), and some for the requests.
            try await ScratchDatabase.withClient(scratch.url, maxConnections: 16) { client in
                let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
                try await Migrator(client: client, logger: store.logger, migrations: APIMigrations.withEventStore)
                    .migrate()
                var keys: [AccessRole: String] = [:]
                for role in [AccessRole.marketing, .channel, .analyst, .auditor, .admin] {
                    keys[role] = try await ApiKeyStore(store: store).create(role: role, name: "tests", actor: "tests")
                        .secret
                }
                let server = APIServer(configuration: .init(port: 0), store: store)
                let app = server.makeApplication(services: [])
                let catalog = server.readModels
                let roles = keys
                try await app.test(.router) { base in
                    let workers = Task { try? await ProjectionWorkers(catalog: catalog, signal: nil).run() }
                    defer { workers.cancel() }
                    try await body(OwnDatabase(client: Client(base: base), store: store, catalog: catalog, keys: roles))
                }
            }
            try await scratch.drop()
        } catch {
            try? await scratch.drop()
            throw error
        }
    }
}

/// A response with its body parsed.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var text: String
    var headers: HTTPFields

    var json: JSONValue { (try? JSONValue(parsing: text)) ?? .null }
    var errorCode: String? { json["error"]?["code"]?.stringValue }
    var errorField: String? { json["error"]?["details"]?["field"]?.stringValue }
}

/// The test client with the API's headers spelled once.
struct Client: Sendable {
    let base: any TestClientProtocol

    /// Sends a request. A read with `minPosition` is asked again while it answers 503 `projection_lagging`, for a
    /// minute at most (unless `patient` is false): the server waits 5 s, and the first build of a read model on a
    /// loaded 2-core machine may take longer.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, body: String? = nil,
        idempotencyKey: String? = nil, patient: Bool = true
    ) async throws -> Reply {
        var reply = try await sendOnce(method, uri, key: key, body: body, idempotencyKey: idempotencyKey)
        guard patient, method == .get, uri.contains("minPosition=") else { return reply }
        let deadline = ContinuousClock.now + .seconds(60)
        while reply.status == .serviceUnavailable, reply.errorCode == "projection_lagging",
            ContinuousClock.now < deadline
        {
            reply = try await sendOnce(method, uri, key: key, body: body, idempotencyKey: idempotencyKey)
        }
        return reply
    }

    private func sendOnce(
        _ method: HTTPRequest.Method, _ uri: String, key: String?, body: String?, idempotencyKey: String?
    ) async throws -> Reply {
        var headers = HTTPFields()
        if let key { headers[.authorization] = "Bearer \(key)" }
        if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await base.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, text: String(buffer: response.body), headers: response.headers)
    }
}

/// A product body API.md's way, with a few fields to vary.
func productBody(category: String = "hotpot", tags: [String] = ["spicy"], priceFen: Int64 = 3990) -> String {
    let tagList = tags.map { "\"\($0)\"" }.joined(separator: ",")
    return """
        {"name":"牛油火锅底料","spec":"500g","origin":"重庆","shelfLifeDays":365,"priceFen":\(priceFen),\
        "costFen":1800,"category":"\(category)","tags":[\(tagList)]}
        """
}
