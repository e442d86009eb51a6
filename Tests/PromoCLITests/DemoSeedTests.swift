import ArgumentParser
import EventStore
import PostgresNIO
import PromoCLI
import PromoTestSupport
import Testing

/// `promoctl demo seed` on an empty, migrated database of its own, run twice as the command line runs it.
@Suite("promoctl demo seed")
struct DemoSeedTests {
    @Test("Seeds the world through the API; a second run adds a day of orders and changes nothing else")
    func seedTwice() async throws {
        let database = try await ScratchDatabase.create(on: TestDatabase.url, prefix: "demo")
        do {
            try await scenario(database.url)
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }

    /// Events whose count a second run must leave as it was: the world itself.
    static let world = [
        "ProductDefined", "StoreDefined", "StockReceived", "SafetyStockSet", "CustomerProfileSet", "CampaignCreated",
        "CampaignStatusChanged", "CouponTemplateDefined", "CouponsIssued", "CouponIssued",
    ]

    func scenario(_ url: DatabaseURL) async throws {
        var address = "postgres://\(url.user)@\(url.host):\(url.port)/\(url.database)"
        if let socket = url.socketDirectory { address += "?host=\(socket)" }
        try await run(["migrate", "--database-url", address])
        let seed = ["demo", "seed", "--database-url", address, "--orders", "12", "--customers", "30", "--quiet"]

        try await run(seed)
        let first = try await eventCounts(url)
        // 40 products; 8 stores (a mall, a mini-program, 6 stores); 7 locations (the warehouse and the 6 stores)
        // each with opening and safety stock for every product; 30 customers; 6 campaigns, each activated.
        #expect(first["ProductDefined"] == 40)
        #expect(first["StoreDefined"] == 8)
        #expect(first["StockReceived"] == 40 * 7)
        #expect(first["SafetyStockSet"] == 40 * 7)
        #expect(first["CustomerProfileSet"] == 30)
        #expect(first["CampaignCreated"] == 6)
        #expect(first["CampaignStatusChanged"] == 6)
        #expect(first["CouponTemplateDefined"] == 1)
        #expect((first["CouponsIssued"] ?? 0) + (first["CouponIssued"] ?? 0) > 0)
        let placedFirst = first["OrderPlaced"] ?? 0
        #expect(placedFirst > 0 && placedFirst <= 12)
        #expect(first["OrderPaid"] ?? 0 > 0)
        // The run's own key: created and revoked, both recorded.
        #expect(first["ApiKeyCreated"] == 1 && first["ApiKeyRevoked"] == 1)

        try await run(seed)
        let second = try await eventCounts(url)
        for type in Self.world {
            #expect(second[type] == first[type], "a second run appends no \(type)")
        }
        let placedSecond = (second["OrderPlaced"] ?? 0) - placedFirst
        #expect(placedSecond > 0 && placedSecond <= 12, "a second run places another day of orders")
        #expect(second["ApiKeyCreated"] == 2 && second["ApiKeyRevoked"] == 2)
    }

    func run(_ arguments: [String]) async throws {
        var command = try Promoctl.parseAsRoot(arguments)
        if var command = command as? any AsyncParsableCommand {
            try await command.run()
        } else {
            try command.run()
        }
    }

    func eventCounts(_ url: DatabaseURL) async throws -> [String: Int] {
        try await ScratchDatabase.withClient(url) { client in
            var counts: [String: Int] = [:]
            let rows = try await client.query(
                "SELECT event_type, count(*)::int8 FROM events GROUP BY event_type", logger: TestDatabase.logger)
            for try await (type, count) in rows.decode((String, Int64).self) { counts[type] = Int(count) }
            return counts
        }
    }

    @Test("A database that cannot be reached is one clear message at once, naming it and what to check")
    func unreachableDatabase() async throws {
        var missing = TestDatabase.url
        missing.database = "no_such_database_here"
        var address = "postgres://\(missing.user)@\(missing.host):\(missing.port)/\(missing.database)"
        if let socket = missing.socketDirectory { address += "?host=\(socket)" }
        await #expect {
            try await run(["keys", "list", "--database-url", address])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("cannot reach the database") && text.contains("no_such_database_here")
                && text.contains("does not exist") && text.contains("DATABASE_URL")
        }
    }
}
