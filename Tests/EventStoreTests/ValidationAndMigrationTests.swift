import EventStore
import PromoTestSupport
import Foundation
import PostgresNIO
import PromoDomain
import Testing

@Suite("Input validation and migrations")
struct ValidationAndMigrationTests {
    @Test(
        "Malformed stream ids are rejected with a typed error",
        arguments: [
            "nocategory", "-x", "Order-1", "order-", "order-a b", "or der-1", "örder-1", "order-a\u{3000}b",
            "order-a\u{85}b", "order-a\u{7F}", "order-a\tb", "order-订单\u{2028}",
            "order-" + String(repeating: "x", count: 201),
            "order-" + String(repeating: "订", count: 201),
        ])
    func invalidStreamIDs(raw: String) {
        #expect(throws: EventStoreError.self) { try StreamID(raw) }
    }

    @Test(
        "Valid stream ids keep their category",
        arguments: [
            ("order-8812", "order"), ("stock-HP001@online", "stock"), ("coupon-A-B-C", "coupon"),
            ("customer-张三", "customer"), ("order-" + String(repeating: "x", count: 200), "order"),
            ("order-" + String(repeating: "订", count: 200), "order"),
        ])
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
            [
                StreamAppend(stream, expectedVersion: .any, events: [testEvent()]),
                StreamAppend(stream, expectedVersion: .any, events: [testEvent()]),
            ],
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
        let error = await #expect(throws: EventStoreError.self) {
            try await store.append(to: b, expectedVersion: .any, events: [event])
        }
        #expect(error?.code == .duplicateEventID)
        #expect(try await store.streamVersion(b) == 0)
    }

    @Test("Two migrators at once on an empty database: every step applied exactly once, the schema current")
    func concurrentMigrations() async throws {
        let scratch = try await ScratchDatabase.create(on: TestDatabase.url, prefix: "migrate")
        do {
            try await ScratchDatabase.withClient(scratch.url) { client in
                let migrator = Migrator(client: client, logger: TestDatabase.logger)
                #expect(try await migrator.currentVersion() == 0, "an empty database")
                async let first = migrator.migrate()
                async let second = migrator.migrate()
                let (a, b) = try await (first, second)
                let all = EventStoreMigrations.all.map(\.version).sorted()
                #expect((a + b).sorted() == all, "each step applied once, by one of the two")
                #expect(a.isEmpty || b.isEmpty, "the lock serialises the runs: the second finds everything applied")
                #expect(try await migrator.currentVersion() == all.last)
                #expect(try await migrator.migrate().isEmpty, "a third run has nothing to do")
                // The migrated store works.
                let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
                let result = try await store.append(
                    to: TestDatabase.uniqueStream(), expectedVersion: .noStream, events: [testEvent()])
                #expect(result.firstPosition > 0)
                #expect(try await store.positionStatus().ok)
            }
            // A database whose sessions default to another isolation level is reported, and appends refuse to run.
            try await ScratchDatabase.withClient(scratch.admin) { admin in
                try await admin.leasedExecute(
                    "ALTER DATABASE \(unescaped: scratch.url.database) SET default_transaction_isolation = 'serializable'",
                    logger: TestDatabase.logger)
            }
            try await ScratchDatabase.withClient(scratch.url) { client in
                let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
                let status = try await store.positionStatus()
                #expect(status.ok == false)
                #expect(status.positionsOK)
                #expect(status.problem?.contains("read committed") == true)
                let error = await #expect(throws: EventStoreError.self) {
                    try await store.append(
                        to: TestDatabase.uniqueStream(), expectedVersion: .noStream, events: [testEvent()])
                }
                #expect(error?.code == .misconfigured)
            }
        } catch {
            try? await scratch.drop()
            throw error
        }
        try await scratch.drop()
    }

    @Test("DATABASE_URL forms: TCP and Unix socket")
    func databaseURLs() throws {
        let tcp = try DatabaseURL("postgres://promo:secret@db.internal:6543/ledger")
        let expected = try DatabaseURL.expect(
            user: "promo", password: "secret", host: "db.internal", port: 6543, database: "ledger", socket: nil)
        #expect(tcp == expected)
        let socket = try DatabaseURL("postgresql://promo@localhost/ledger?host=/tmp/pg")
        #expect(socket.socketDirectory == "/tmp/pg")
        #expect(socket.port == 5432)
        #expect(throws: EventStoreError.self) { try DatabaseURL("mysql://x@y/z") }
        #expect(throws: EventStoreError.self) { try DatabaseURL("postgres://x@y/z?sslmode=verify-full") }
    }
}

extension DatabaseURL {
    static func expect(user: String, password: String?, host: String, port: Int, database: String, socket: String?)
        throws -> DatabaseURL
    {
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
