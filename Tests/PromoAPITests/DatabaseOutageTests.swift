import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import PromoDomain
import PromoTestSupport
import Testing

@testable import PromoAPI

/// The API while its database refuses connections: a database of its own is made unreachable (no new
/// sessions, its open ones ended), as a PostgreSQL restart or a network cut looks to the server.
@Suite("The database out of reach")
struct DatabaseOutageTests {
    /// Lets sessions into `scratch`'s database again, or bars them and ends the open ones.
    static func reachable(_ open: Bool, _ scratch: ScratchDatabase) async throws {
        let name = scratch.url.database
        try await ScratchDatabase.withClient(scratch.admin, maxConnections: 1) { admin in
            try await admin.leasedExecute(
                "ALTER DATABASE \(unescaped: name) ALLOW_CONNECTIONS \(unescaped: open ? "true" : "false")",
                logger: TestDatabase.logger)
            if !open {
                try await admin.leasedExecute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(name)",
                    logger: TestDatabase.logger)
            }
        }
    }

    @Test(
        "While the database refuses connections a write and a read answer 503 database_unavailable, then normally again",
        .timeLimit(.minutes(3)))
    func unreachable() async throws {
        let scratch = try await ScratchDatabase.create(on: TestDatabase.url, prefix: "outage")
        do {
            try await ScratchDatabase.withClient(scratch.url, maxConnections: 4) { pool in
                let store = PostgresEventStore(client: pool, logger: TestDatabase.logger)
                try await Migrator(client: pool, logger: store.logger, migrations: APIMigrations.withEventStore)
                    .migrate()
                let marketing = try await ApiKeyStore(store: store).create(
                    role: .marketing, name: "tests", actor: "tests"
                ).secret
                let app = APIServer(configuration: .init(port: 0, databaseWait: .seconds(1)), store: store)
                    .makeApplication(services: [])
                try await app.test(.router) { base in
                    let client = Client(base: base)
                    let (sku, other) = (APITest.id("T"), APITest.id("T"))
                    let defined = try await client.send(
                        .put, "/v1/products/\(sku)", key: marketing, body: productBody())
                    #expect(defined.status == .created)
                    #expect(try await client.send(.get, "/v1/products/\(sku)", key: marketing).status == .ok)

                    // Each request waits for a connection at most `databaseWait` (1 s here), not until the pool's
                    // connection attempts give up (postgres-nio's circuit breaker: a minute); neither may be a 500.
                    try await Self.reachable(false, scratch)
                    do {
                        let started = ContinuousClock.now
                        let write = try await client.send(
                            .put, "/v1/products/\(other)", key: marketing, body: productBody())
                        let read = try await client.send(.get, "/v1/stock/\(sku)", key: marketing)
                        // Both within seconds (the limit is 1 s each; generous for a loaded machine), not a minute.
                        #expect(started.duration(to: .now) < .seconds(20))
                        for (name, reply) in [("write", write), ("read", read)] {
                            #expect(reply.status == .serviceUnavailable, "\(name): \(reply.status) \(reply.text)")
                            #expect(reply.errorCode == "database_unavailable", "\(name): \(reply.text)")
                            #expect(reply.json["error"]?["message"]?.stringValue?.isEmpty == false)
                            #expect(!reply.text.contains("PSQLError"), "\(name): \(reply.text)")
                        }
                    } catch {
                        try await Self.reachable(true, scratch)
                        throw error
                    }
                    try await Self.reachable(true, scratch)

                    // Back: the pool reconnects and the same requests are answered (within a minute at most).
                    var read = try await client.send(.get, "/v1/products/\(sku)", key: marketing)
                    let deadline = ContinuousClock.now + .seconds(60)
                    while read.status == .serviceUnavailable, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(200))
                        read = try await client.send(.get, "/v1/products/\(sku)", key: marketing)
                    }
                    #expect(read.status == .ok, "\(read.text)")
                    #expect(read.json["priceFen"] == 3_990)
                    let write = try await client.send(
                        .put, "/v1/products/\(other)", key: marketing, body: productBody())
                    #expect(write.status == .created, "\(write.text)")
                    #expect(try await store.storedEvents(of: try StreamID("product-\(other)")).count == 1)
                }
            }
            try await scratch.drop()
        } catch {
            try? await Self.reachable(true, scratch)
            try? await scratch.drop()
            throw error
        }
    }
}
