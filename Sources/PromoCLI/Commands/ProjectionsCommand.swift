import ArgumentParser
import EventStore
import Foundation
import ProjectionRuntime
import PromoProjections

struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "See and operate the read models' projection workers.",
        discussion: """
            Each read model is built by one worker (in `promoctl serve`, roles all or workers) that holds its \
            lease; a worker of another process takes over within seconds when that one stops. An event the \
            handler keeps failing on is parked and the projection stops there with status `failed` while the \
            others run on: fix the cause and `retry`, or `skip` the event.
            """,
        subcommands: [Status.self, Rebuild.self, Retry.self, Skip.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Version, generation, position, lag, status and parked events of every read model.")

        @OptionGroup var database: DatabaseOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let statuses = try await database.withReadModels { catalog in try await catalog.status() }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(statuses), as: UTF8.self))
                return
            }
            print(Self.table(statuses))
        }

        static func table(_ statuses: [ProjectionStatus]) -> String {
            var lines = ["NAME                 VERSION  GEN  STATUS      LAG EVENTS   LAG S  POSITION  PARKED"]
            for status in statuses {
                lines.append(
                    status.name.padding(toLength: 20, withPad: " ", startingAt: 0) + " "
                        + "\(status.version)".leftPadded(7) + "  " + "\(status.generation)".leftPadded(3) + "  "
                        + status.status.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                        + "\(status.lagEvents)".leftPadded(11) + " "
                        + String(format: "%7.1f", status.lagSeconds) + "  " + "\(status.position)" + "  "
                        + "\(status.parked.count)")
                if let rebuild = status.rebuild {
                    lines.append(
                        "  rebuilding v\(rebuild.version) as generation \(rebuild.generation): "
                            + "\(rebuild.eventsDone)/\(rebuild.eventsTotal) events (\(rebuild.status))")
                }
                for parked in status.parked {
                    lines.append(
                        "  parked at \(parked.position) (\(parked.eventType ?? "?") in \(parked.streamId ?? "?"), "
                            + "\(parked.attempts) attempts): \(parked.error.prefix(200))")
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild a read model from position 0 beside the live one, then switch readers over.",
            discussion: """
                Readers keep the live tables until the new ones have caught up with the log; then they switch in \
                one transaction and the old tables are dropped. When no `promoctl serve` runs the projection, this \
                command builds it itself; otherwise it follows the serving worker's progress. Progress goes to \
                standard error: events done / total, events/s, and the time left.
                """)

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The read model, e.g. stock_levels (`promoctl projections status` lists them).")
        var name: String

        func run() async throws {
            let name = self.name
            try await database.withReadModels(maxConnections: 4) { catalog in
                let projection = try catalog.projection(named: name)
                // Built when it is live and has read everything there was when the rebuild began.
                let head = try await catalog.store.headPosition()
                let started = try await catalog.requestRebuild(name)
                let target = started.generation
                FileHandle.standardError.write(
                    Data("rebuilding \(name) v\(started.version) as generation \(target)\n".utf8))
                let worker = Task {
                    await ProjectionWorker(catalog: catalog, projection: projection, signal: nil).run { generations in
                        generations.contains { $0.generation == target && $0.state == .live && $0.position >= head }
                    }
                }
                defer { worker.cancel() }
                var progress = ProgressReporter(label: name)
                while true {
                    let generations = try await catalog.generations(of: name)
                    guard let built = generations.first(where: { $0.generation == target }) else {
                        throw OperatorError(
                            "generation \(target) of \(name) disappeared; see `promoctl projections status`")
                    }
                    if built.state == .live, built.position >= head {
                        progress.finish(done: built.eventsDone)
                        print("\(name): generation \(target) is live at position \(built.position)")
                        return
                    }
                    if built.failed {
                        progress.finish(done: built.eventsDone)
                        throw OperatorError(
                            "the rebuild of \(name) stopped at a parked event; `promoctl projections status` shows it")
                    }
                    progress.report(done: built.eventsDone, total: built.eventsTotal)
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a failed read model try its parked event again (after the cause was fixed).")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The read model.")
        var name: String

        func run() async throws {
            let name = self.name
            let released = try await database.withReadModels { catalog in try await catalog.retry(name) }
            print("\(name): \(released) parked event(s) released; its worker tries again now")
        }
    }

    struct Skip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a failed read model past its parked event without handling it.",
            discussion: """
                The event stays in the log; only this read model leaves it out. Rebuild the read model later to \
                include it once the handler copes with it.
                """)

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The read model.")
        var name: String

        func run() async throws {
            let name = self.name
            let skipped = try await database.withReadModels { catalog in try await catalog.skip(name) }
            print("\(name): skipped the event(s) at position \(skipped.map(String.init).joined(separator: ", "))")
        }
    }
}

/// A progress line on standard error: done / total, rate, time left. Redrawn in place on a terminal; a line
/// every 5 s otherwise (logs, CI).
struct ProgressReporter {
    let label: String
    let start = ContinuousClock.now
    var lastLine = ContinuousClock.now - .seconds(60)
    let output = Progress()

    init(label: String) { self.label = label }

    mutating func report(done: Int64, total: Int64) {
        let now = ContinuousClock.now
        guard output.isTerminal || now - lastLine >= .seconds(5) else { return }
        lastLine = now
        let seconds = max((now - start).seconds, 0.001)
        let rate = Double(done) / seconds
        let percent = total > 0 ? min(100, Double(done) * 100 / Double(total)) : 0
        let left = rate > 0 && total > done ? String(format: "%.0f s left", Double(total - done) / rate) : "…"
        let line = String(
            format: "%@: %lld/%lld events (%.0f %%), %.0f events/s, %@", label, done, total, percent, rate, left)
        if output.isTerminal { output.update(line) } else { output.line(line) }
    }

    func finish(done: Int64) {
        let seconds = max((ContinuousClock.now - start).seconds, 0.001)
        output.finish(
            String(
                format: "%@: %lld events in %.1f s (%.0f events/s)", label, done, seconds, Double(done) / seconds))
    }
}

extension DatabaseOptions {
    /// Runs `body` with the platform's read models on a running pool; an unknown projection or a missing parked
    /// event is said as an operator error (no usage text).
    func withReadModels<T: Sendable>(
        maxConnections: Int = 2, _ body: @escaping @Sendable (ProjectionCatalog) async throws -> T
    ) async throws -> T {
        do {
            return try await withStore(maxConnections: maxConnections) { store in
                try await body(ProjectionCatalog(store: store, projections: ReadModels.platform))
            }
        } catch let error as ProjectionError {
            throw OperatorError("\(error)")
        }
    }
}

/// An operator's request that cannot be done, said in words (no usage text: the command line was right).
struct OperatorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
