import ArgumentParser
import EventStore
import Hummingbird
import Logging
import PostgresNIO
import PromoAPI
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and the event workers until SIGTERM or SIGINT.",
        discussion: "Shuts down gracefully: in-flight requests finish, then the pool closes.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one).")
    var port = 8080

    @Option(help: "Maximum database connections in the pool.")
    var maxConnections = 20

    func run() async throws {
        let logger = database.makeLogger()
        let client = try database.makeClient(maxConnections: maxConnections, logger: logger)
        let signal = WakeupSignal()
        let appended = WakeupSignal()
        let store = PostgresEventStore(client: client, logger: logger, appended: appended)
        let server = APIServer(configuration: .init(host: host, port: port), store: store)
        let host = self.host
        let app = server.makeApplication(services: [client, EventNotifier(client: client, signal: signal, appended: appended, logger: logger)]) { port in
            print("PromoLedger is listening on http://\(host):\(port)")
        }
        try await app.runService()
    }
}
