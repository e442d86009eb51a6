import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark and write its report (use a release build: tools/bench does).",
        subcommands: [
            EventStoreBenchCommand.self, ArchiveBenchCommand.self, PricingBenchCommand.self,
            ProjectionsBenchCommand.self, HistoryBenchCommand.self,
        ]
    )
}
