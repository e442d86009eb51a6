import ArgumentParser
import EventStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the database schema up to date.",
        discussion: "Applies the missing schema steps in order. Safe to run again, and from several processes at once.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let applied = try await database.withStore(maxConnections: 2) { store in
            try await Migrator(client: store.client, logger: store.logger).migrate { migration in
                print("applying migration \(migration.version): \(migration.name)")
            }
        }
        print(applied.isEmpty ? "schema is up to date" : "applied \(applied.count) migration(s)")
    }
}
