import EventStore
import PromoTestSupport
import Foundation
import PostgresNIO
import PromoDomain
import Testing

@Suite("Input validation and migrations")
struct ValidationAndMigrationTests {
    @Test("Malformed stream ids are rejected with a typed error", arguments: ["nocategory", "-x", "Order-1", "order-", "order-a b", "or der-1"])
    func invalidStreamIDs(raw: String) {
        #expect(throws: EventStoreError.self) { try StreamID(raw) }
    }

    @Test("Valid stream ids keep their category", arguments: [("order-8812", "order"), ("stock-HP001@online", "stock"), ("coupon-A-B-C", "coupon")])
    func validStreamIDs(raw: String, category: String) throws {
        #expect(try StreamID(raw).category == category)
    }

    @Test("Malformed appends are rejected before anything is written")
    func invalidAppends() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream()
        let duplicate = testEvent()
        let cases: [[StreamAppend]] = [
            [],
            [StreamAppend(stream, expectedVersion: .any, events: [])],
            [StreamAppend(stream, expectedVersion: .any, events: [testEvent()]), StreamAppend(stream, expectedVersion: .any, events: [testEvent()])],
            [StreamAppend(stream, expectedVersion: .any, events: [duplicate, duplicate])],
            [StreamAppend(stream, expectedVersion: .exact(-1), events: [testEvent()])],
        ]
        for appends in cases {
            let error = await #expect(throws: EventStoreError.self) { try await store.append(appends) }
            #expect(error?.code == .invalidAppend)
        }
        #expect(try await store.streamVersion(stream) == 0)
    }

    @Test("An event id already stored is a typed error, and the append writes nothing")
    func duplicateEventID() async throws {
        let store = try await TestDatabase.store()
        let event = testEvent()
        let a = TestDatabase.uniqueStream()
        let b = TestDatabase.uniqueStream()
        _ = try await store.append(to: a, expectedVersion: .any, events: [event])
        let error = await #expect(throws: EventStoreError.self) { try await store.append(to: b, expectedVersion: .any, events: [event]) }
        #expect(error?.code == .duplicateEventID)
        #expect(try await store.streamVersion(b) == 0)
    }

    @Test("Two migrators at once both succeed and leave the schema current")
    func concurrentMigrations() async throws {
        let store = try await TestDatabase.store()
        let migrator = Migrator(client: store.client, logger: store.logger)
        async let first = migrator.migrate()
        async let second = migrator.migrate()
        let applied = try await (first, second)
        #expect(applied.0.isEmpty && applied.1.isEmpty, "the suite migrated already; nothing is applied twice")
        #expect(try await migrator.currentVersion() == EventStoreMigrations.all.map(\.version).max())
    }

    @Test("DATABASE_URL forms: TCP and Unix socket")
    func databaseURLs() throws {
        let tcp = try DatabaseURL("postgres://promo:secret@db.internal:6543/ledger")
        let expected = try DatabaseURL.expect(user: "promo", password: "secret", host: "db.internal", port: 6543, database: "ledger", socket: nil)
        #expect(tcp == expected)
        let socket = try DatabaseURL("postgresql://promo@localhost/ledger?host=/tmp/pg")
        #expect(socket.socketDirectory == "/tmp/pg")
        #expect(socket.port == 5432)
        #expect(throws: EventStoreError.self) { try DatabaseURL("mysql://x@y/z") }
        #expect(throws: EventStoreError.self) { try DatabaseURL("postgres://x@y/z?sslmode=verify-full") }
    }
}

extension DatabaseURL {
    static func expect(user: String, password: String?, host: String, port: Int, database: String, socket: String?) throws -> DatabaseURL {
        var url = try DatabaseURL("postgres://x@y/z")
        url.user = user
        url.password = password
        url.host = host
        url.port = port
        url.database = database
        url.socketDirectory = socket
        return url
    }
}
