import ArgumentParser
import EventStore
import Hummingbird
import Logging
import PostgresNIO
import ProjectionRuntime
import PromoAPI
import PromoProjections
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and the projection workers until SIGTERM or SIGINT.",
        discussion: """
            --role all (the default) runs both in one process; --role api serves HTTP only, --role workers runs \
            only the projection workers that build the read models. Several processes may run against one \
            database: each read model is built by exactly one worker at a time (a lease), and a worker of another \
            process takes over within seconds when its holder stops. A read model whose definition version was \
            bumped (Projections/sql/NAME.vN.sql) is rebuilt beside the live one at start, and readers switch when \
            it has caught up.

            Shuts down gracefully: in-flight requests finish, then the pool closes. Responses recorded for \
            Idempotency-Keys are kept 24 hours, then deleted (hourly). One serving process at a time (an advisory \
            lock decides which) moves campaigns at their windows' edges: scheduled ones go live, ended ones end. \
            At start it checks that the \
            database has not moved to another cluster since positions were last set (a restore from pg_dump), \
            and moves them above the stored events if it has; /readyz reports what still stands in the way.
            """)

    @OptionGroup var database: DatabaseOptions

    enum Role: String, ExpressibleByArgument, CaseIterable {
        case all, api, workers
    }

    @Option(help: "What this process runs: all (API and projection workers), api, or workers.")
    var role: Role = .all

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one).")
    var port = 8080

    @Option(help: "Maximum database connections in the pool.")
    var maxConnections = 20

    @Option(
        help: """
            Requests per second each API key may send on average (twice as many at once); more get 429 \
            rate_limited with Retry-After. 0 turns the limit off.
            """)
    var rateLimit: Double = 2_000

    @Flag(
        inversion: .prefixedNo,
        help: """
            Queue the commands that share a stream (a flash sale's stock, a campaign's budget) and decide them in \
            batches, one append per batch. --no-write-batching decides each alone, racing on expected versions: \
            only for measuring what batching is worth (tools/bench orders).
            """)
    var writeBatching = true

    func run() async throws {
        let logger = database.makeLogger()
        let client = try database.makeClient(maxConnections: maxConnections, logger: logger)
        let signal = WakeupSignal()
        let appended = WakeupSignal()
        let store = PostgresEventStore(client: client, logger: logger, appended: appended)
        let readModels = ProjectionCatalog(store: store, projections: ReadModels.platform)
        var services: [any Service] = [
            client, PositionsAtStartup(store: store),
            EventNotifier(client: client, signal: signal, appended: appended, logger: logger),
        ]
        if role != .workers {
            services += [IdempotencyCleanup(client: client, logger: logger), CampaignClock(store: store)]
        }
        if role != .api {
            // Each projection's worker holds one connection for as long as it holds the projection's lease, so
            // the workers get a pool of their own: however many read models there are, the API's pool stays
            // free for requests.
            let workerClient = try database.makeClient(
                maxConnections: readModels.projections.count + 2, logger: logger)
            let workerCatalog = ProjectionCatalog(
                store: PostgresEventStore(client: workerClient, logger: logger), projections: readModels.projections)
            services += [workerClient, ProjectionWorkers(catalog: workerCatalog, signal: signal)]
        }
        guard role != .workers else {
            print("PromoLedger projection workers are running (\(readModels.projections.count) read models)")
            let group = ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
            return
        }
        let server = APIServer(
            configuration: .init(
                host: host, port: port, writeBatching: writeBatching,
                requestsPerSecondPerKey: rateLimit > 0 ? rateLimit : nil), store: store, readModels: readModels)
        let host = self.host
        let app = server.makeApplication(services: services) { port in
            print("PromoLedger is listening on http://\(host):\(port)")
        }
        try await app.runService()
    }
}

/// At start, moves positions above the stored events when the database was restored into another cluster.
///
/// A service so that it runs once the pool runs; a failure (no database yet, schema not migrated) is logged
/// and left to `/readyz` to report, so the API still starts and says what is wrong.
struct PositionsAtStartup: Service {
    let store: PostgresEventStore

    func run() async throws {
        do {
            try await store.movePositionsIfNeeded()
        } catch {
            store.logger.warning(
                "could not check positions at start; see /readyz", metadata: ["error": "\(String(reflecting: error))"])
        }
        try? await gracefulShutdown()
    }
}
