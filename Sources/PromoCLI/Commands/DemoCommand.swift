import ArgumentParser
import EventStore
import Foundation
import Hummingbird
import PromoAPI
import PromoDomain
import ServiceLifecycle

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The demo data set: a Sichuan frozen-food brand's world, through the API.",
        subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seed the demo world and place a day of orders (tools/demo runs it for you).",
            discussion: """
                Writes through the HTTP API, as the brand's systems would: 40 products (hot-pot bases, tripe, \
                meatballs, dumplings, desserts), an online mall and a mini-program shipped from the Chengdu \
                warehouse and six stores in three regions, opening and safety stock per location, 500 customers \
                with tiers and taste preferences, six active campaigns (满减, 满折, a 9.9 flash sale, a gift, a \
                hot-pot bundle, a coupon-funding 满减), a coupon template issued to 100 customers; then a day of \
                orders (placed, most paid and shipped, some cancelled, some partly refunded).

                Run again on a seeded database it adds another day of orders and changes nothing else: a PUT of \
                what is there appends no event, stock is received only where none is held, campaigns, templates \
                and coupons that exist are left alone.

                With --url and --key it talks to a running server. Without them it serves the API itself on a \
                free loopback port over DATABASE_URL (migrate first: promoctl migrate), under a key of its own \
                that it creates and revokes (both recorded as events, actor "promoctl demo seed").

                  promoctl demo seed                           # DATABASE_URL, in process
                  promoctl demo seed --orders 1000
                  promoctl demo seed --url http://127.0.0.1:8080 --key plk_… --traffic
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: "A running server's base URL; without it the API runs in this process on DATABASE_URL.")
        var url: String?

        @Option(help: "An admin API key for --url (the seeding writes the catalog, campaigns, customers and orders).")
        var key: String?

        @Option(help: "Orders to place after seeding: a day of orders.")
        var orders = 200

        @Option(help: "Customers in the world (the demo has 500).")
        var customers = 500

        @Flag(help: "After seeding, keep placing orders at a few a second until Ctrl-C.")
        var traffic = false

        @Flag(help: "No progress on stderr.")
        var quiet = false

        func validate() throws {
            if (url == nil) != (key == nil) { throw ValidationError("--url and --key go together") }
            if traffic && url == nil {
                throw ValidationError(
                    "--traffic needs --url and --key: without them the API serves only while seeding (tools/demo runs a live demo)"
                )
            }
            if orders < 0 { throw ValidationError("--orders must be 0 or more") }
            if !(1...100_000).contains(customers) { throw ValidationError("--customers must be 1…100000") }
        }

        func run() async throws {
            do {
                if let url, let key {
                    try await seed(DemoClient(base: url, key: key))
                } else {
                    try await seedInProcess()
                }
            } catch let error as DemoError {
                // What went wrong and what to do; not a usage error, so no usage text.
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                throw ExitCode.failure
            }
        }

        private func seed(_ api: DemoClient) async throws {
            try await api.waitUntilReady()
            let seeder = DemoSeeder(
                api: api, world: DemoWorld(customerCount: customers),
                progress: Progress(prefix: "[demo seed] ", quiet: quiet))
            try await seeder.seed()
            let tally = try await seeder.dayOfOrders(orders)
            if !quiet {
                FileHandle.standardOutput.write(Data("seeded; a day of orders: \(tally)\n".utf8))
            }
            if traffic { try await seeder.traffic() }
        }

        /// Serves the API on a free loopback port for the run, under a key made for it and revoked after.
        private func seedInProcess() async throws {
            let actor = "promoctl demo seed"
            try await database.withStore(maxConnections: 8) { store in
                let keys = ApiKeyStore(store: store)
                let key: CreatedApiKey
                do {
                    key = try await keys.create(role: .admin, name: actor, actor: actor)
                } catch {
                    throw DemoError(
                        "could not make an API key for the run (\(String(describing: error))); is the database migrated? run: promoctl migrate"
                    )
                }
                let (ports, port) = AsyncStream.makeStream(of: Int.self)
                let server = APIServer(configuration: .init(port: 0, requestsPerSecondPerKey: nil), store: store)
                let app = server.makeApplication(services: []) { bound in port.yield(bound) }
                // Stopped by a graceful shutdown once the seeding is done, so in-flight requests finish.
                let serving = ServiceGroup(
                    configuration: .init(services: [.init(service: app)], logger: store.logger))
                let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>?.self) {
                    group in
                    group.addTask {
                        defer { port.finish() }
                        do { try await serving.run() } catch { return .failure(error) }
                        return nil
                    }
                    var result: Result<Void, any Error>?
                    for await bound in ports {
                        do {
                            try await seed(DemoClient(base: "http://127.0.0.1:\(bound)", key: key.secret))
                            result = .success(())
                        } catch {
                            result = .failure(error)
                        }
                        break
                    }
                    await serving.triggerGracefulShutdown()
                    for await case let failure? in group where result == nil { result = failure }
                    return result ?? .failure(DemoError("the API did not start"))
                }
                _ = try? await keys.revoke(keyId: key.keyId, actor: actor)
                try outcome.get()
            }
        }
    }
}
