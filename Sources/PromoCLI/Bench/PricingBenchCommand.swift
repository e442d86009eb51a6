import ArgumentParser
import Foundation

struct PricingBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pricing",
        abstract: "Quotes per second on one core: a 10-line cart against 50 active campaigns.",
        discussion:
            "Needs no database. Run it from a release build (tools/bench pricing); the target is 100,000 quotes/s. "
            + "The time is split into rounds and the median round is reported, with the slowest and fastest: on a "
            + "shared machine single runs vary by ±20 %.")

    @Option(help: "Seconds to measure, in all.")
    var seconds: Double = 7

    @Option(help: "Rounds the time is split into; the median round's rate is reported.")
    var rounds = 7

    @Option(help: "Where to write the JSON report.")
    var output = "bench/pricing.json"

    func run() throws {
        print("pricing: quoting on one thread for \(seconds) s in \(rounds) rounds …")
        let report = try PricingBenchmark.run(seconds: seconds, rounds: rounds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(report).write(to: url)
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        print("report written to \(output)")
    }
}
