import ArgumentParser

/// `promoctl`: the one executable of PromoLedger, for operators, auditors and developers.
public struct Promoctl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "promoctl",
        abstract:
            "Operate PromoLedger: migrate the database, serve the API, manage API keys, verify streams, try quotes, run benchmarks.",
        discussion: """
            Commands that touch the database read DATABASE_URL (or --database-url), e.g.
              postgres://promo@localhost:5432/promoledger
              postgres://promo@localhost:5432/promoledger?host=/tmp/sockets   (Unix socket directory)
            tools/demo and tools/test start a private PostgreSQL and set it for you.
            """,
        subcommands: [
            MigrateCommand.self, ServeCommand.self, KeysCommand.self, VerifyCommand.self, QuoteCommand.self,
            DemoCommand.self, BenchCommand.self, ProjectionsCommand.self, ReplayCommand.self, EventsCommand.self,
            ArchiveCommand.self, BackupCommand.self, RestoreCommand.self,
        ]
    )

    public init() {}
}

extension Promoctl {
    /// Parses the process arguments and runs the chosen subcommand; exits with its status.
    public static func runFromCommandLine() async {
        await main()
    }
}
