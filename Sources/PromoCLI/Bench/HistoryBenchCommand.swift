import ArgumentParser
import EventStore
import Foundation
import PromoAPI

/// Seeds an empty database with a generated history, for benchmarks that measure a system with data behind it
/// (tools/bench dashboard: the operator page over 50 campaigns and a million events).
struct HistoryBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Seed an empty database with a generated history of orders over active campaigns.",
        discussion: """
            The database is migrated and must hold no events. The history is the projection benchmark's (products, \
            stores, customers, coupons, stock; orders placed, paid, shipped, some cancelled, some partly refunded), \
            with --campaigns active 满减 campaigns. Prints progress, then the last position alone on the last line.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Events to seed (at least).")
    var events = 1_000_000

    @Option(help: "Active campaigns the orders use (c-1, c-2, …).")
    var campaigns = 50

    func run() async throws {
        let (target, campaigns) = (events, campaigns)
        let last = try await database.withStore(maxConnections: 4) { store in
            try await Migrator(client: store.client, logger: store.logger, migrations: APIMigrations.withEventStore)
                .migrate()
            guard try await store.eventCount() == 0 else {
                throw OperatorError("the database is not empty: give the benchmark one of its own (tools/bench does)")
            }
            var progress = ProgressReporter(label: "seeding")
            var history = SyntheticHistory(campaigns: campaigns)
            let last = try await history.append(to: store, events: target) { count in
                progress.report(done: Int64(count), total: Int64(target))
            }
            progress.finish(done: Int64(history.count))
            return last
        }
        print(last)
    }
}
