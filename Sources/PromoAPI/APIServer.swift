import EventStore
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

/// The HTTP API: builds the Hummingbird application that `promoctl serve` runs.
public struct APIServer: Sendable {
    public struct Configuration: Sendable {
        /// The address to bind. Default 127.0.0.1.
        public var host: String
        /// The port to bind; 0 picks a free one. Default 8080.
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }
    }

    public var configuration: Configuration
    public var store: PostgresEventStore

    public init(configuration: Configuration, store: PostgresEventStore) {
        self.configuration = configuration
        self.store = store
    }

    /// The application with its routes; `services` run in its service group (the pool, workers, …).
    public func makeApplication(
        services: [any Service], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        HealthRoutes(store: store, expectedSchemaVersion: EventStoreMigrations.all.map(\.version).max() ?? 0)
            .register(on: router)
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "PromoLedger"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: store.logger)
    }
}
