import ArgumentParser
import EventStore
import PromoAPI

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the database schema up to date.",
        discussion: """
            Applies the missing schema steps in order: the event store's (1, 2, …), then the API's (1001: API keys, \
            1002: idempotent requests, 1003: customer keys). Safe to run again, and from several processes at once.
            """)

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let applied = try await database.withStore(maxConnections: 2) { store in
            try await Migrator(client: store.client, logger: store.logger, migrations: APIMigrations.withEventStore)
                .migrate { migration in
                    print("applying migration \(migration.version): \(migration.name)")
                }
        }
        print(applied.isEmpty ? "schema is up to date" : "applied \(applied.count) migration(s)")
    }
}
