import ArgumentParser
import EventStore
import Foundation
import ProjectionRuntime
import PromoAPI
import PromoProjections

struct ProjectionsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Rebuild every read model from a store of a million generated events: events/s and peak memory.",
        discussion: """
            Use an empty database of its own (tools/bench makes one). It is migrated, then seeded with a generated \
            history (orders, cancels, partial refunds, campaign budget changes; progress printed), then each read \
            model is rebuilt from position 0 alone, and then all of them at once. Each read model reads the log \
            on its own (the workers do not share one read). The report goes to --output as JSON.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Events to seed.")
    var events = 1_000_000

    @Option(help: "Events per rebuild batch.")
    var batchSize = 5_000

    @Option(help: "Where to write the JSON report.")
    var output = "bench/projections.json"

    struct Report: Codable {
        struct Rebuild: Codable {
            var projection: String
            var events: Int64
            var seconds: Double
            var eventsPerSecond: Double
        }
        var seededEvents: Int
        var seedSeconds: Double
        var alone: [Rebuild]
        var together: Rebuild
        /// The log's events over the time all read models took together: the figure the issue's target is in
        /// (`together.eventsPerSecond` counts an event once for each read model that handled it).
        var togetherLogEventsPerSecond: Double
        var peakResidentMB: Double
        var sharedRead: Bool
    }

    func run() async throws {
        let target = events, batchSize = self.batchSize, output = self.output
        // A connection per projection (each worker holds one for its lease), and a few for the rest.
        let report = try await database.withStore(maxConnections: ReadModels.platform.count + 4) { store in
            try await Migrator(client: store.client, logger: store.logger, migrations: APIMigrations.withEventStore)
                .migrate()
            guard try await store.eventCount() == 0 else {
                throw OperatorError("the database is not empty: give the benchmark one of its own (tools/bench does)")
            }
            print("projections: seeding \(target) events …")
            let seedStart = ContinuousClock.now
            var history = SyntheticHistory()
            var shown = 0
            let last = try await history.append(to: store, events: target) { count in
                if count - shown >= target / 10 {
                    shown = count
                    print("  seeded \(count)/\(target)")
                }
            }
            let seedSeconds = (ContinuousClock.now - seedStart).seconds
            let projections = ReadModels.platform.map {
                Projection(
                    definition: $0.definition, handler: $0.handler, batchSize: batchSize, rebuildBatchSize: batchSize)
            }
            let catalog = ProjectionCatalog(store: store, projections: projections)
            var alone: [Report.Rebuild] = []
            for projection in projections {
                print("projections: rebuilding \(projection.name) alone …")
                alone.append(try await Self.rebuild([projection], catalog: catalog, through: last))
                print("  \(Self.line(alone[alone.count - 1]))")
            }
            print("projections: rebuilding all \(projections.count) at once …")
            var together = try await Self.rebuild(projections, catalog: catalog, through: last)
            together.projection = "all"
            print("  \(Self.line(together))")
            print(
                "  = \(String(format: "%.0f", Double(history.count) / max(together.seconds, 0.001))) events of the log/s"
                    + " (each read model reads the log on its own)")
            return Report(
                seededEvents: history.count, seedSeconds: seedSeconds, alone: alone, together: together,
                togetherLogEventsPerSecond: Double(history.count) / max(together.seconds, 0.001),
                peakResidentMB: ProcessMemory.peakResidentMB(), sharedRead: false)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: output))
        print("peak RSS \(String(format: "%.1f", report.peakResidentMB)) MB; report written to \(output)")
    }

    static func line(_ rebuild: Report.Rebuild) -> String {
        String(
            format: "%@: %lld events in %.2f s = %.0f events/s", rebuild.projection, rebuild.events, rebuild.seconds,
            rebuild.eventsPerSecond)
    }

    /// Rebuilds `projections` from 0 at once, each by its worker, until each new generation is live at `last`;
    /// events counts every event each one handled.
    static func rebuild(
        _ projections: [Projection], catalog: ProjectionCatalog, through last: Int64
    ) async throws -> Report.Rebuild {
        var targets: [String: Int] = [:]
        for projection in projections {
            targets[projection.name] = try await catalog.requestRebuild(projection.name).generation
        }
        let wanted = targets
        let start = ContinuousClock.now
        await withDiscardingTaskGroup { group in
            for projection in projections {
                group.addTask {
                    await ProjectionWorker(catalog: catalog, projection: projection, signal: nil).run { generations in
                        generations.contains {
                            $0.generation == wanted[projection.name] && $0.state == .live && $0.position >= last
                        }
                    }
                }
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        var handled: Int64 = 0
        for projection in projections {
            handled += try await catalog.generations(of: projection.name).first { $0.state == .live }?.eventsDone ?? 0
        }
        return Report.Rebuild(
            projection: projections.map(\.name).joined(separator: "+"), events: handled, seconds: seconds,
            eventsPerSecond: Double(handled) / max(seconds, 0.001))
    }
}
