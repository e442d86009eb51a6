import EventStore
import ProjectionRuntime
import PromoProjections
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
        /// How often a write is decided again after another writer moved one of its streams. Default 5.
        public var maxWriteAttempts: Int
        /// Whether commands sharing a stream are queued and decided in batches (see `CommandRunner`). Default on;
        /// off, concurrent commands on one stream race on expected versions.
        public var writeBatching: Bool
        /// How many streams' folded states are kept in process (see `StreamStates`). Default 100,000.
        public var keptStreams: Int
        /// Requests per second each API key may send on average (twice that at once); nil: no limit. Default
        /// 2,000.
        public var requestsPerSecondPerKey: Double?
        /// How long a request waits for a database connection before it is answered 503 `database_unavailable`
        /// (while the database is out of reach). Default 5 s.
        public var databaseWait: Duration

        public init(
            host: String = "127.0.0.1", port: Int = 8080, maxWriteAttempts: Int = 5, writeBatching: Bool = true,
            keptStreams: Int = 100_000, requestsPerSecondPerKey: Double? = 2_000, databaseWait: Duration = .seconds(5)
        ) {
            self.databaseWait = databaseWait
            self.host = host
            self.port = port
            self.maxWriteAttempts = maxWriteAttempts
            self.writeBatching = writeBatching
            self.keptStreams = keptStreams
            self.requestsPerSecondPerKey = requestsPerSecondPerKey
        }
    }

    public var configuration: Configuration
    public var store: PostgresEventStore
    /// The read models the report routes serve (the platform's own, ``ReadModels/all()``, by default).
    public var readModels: ProjectionCatalog
    /// Wakes `GET /v1/live` streams when the read models move (listening only while a stream is open).
    public var feed: ReadModelFeed

    public init(configuration: Configuration, store: PostgresEventStore, readModels: ProjectionCatalog? = nil) {
        self.configuration = configuration
        self.store = store
        self.readModels = readModels ?? ProjectionCatalog(store: store, projections: ReadModels.platform)
        self.feed = ReadModelFeed(client: store.client, logger: store.logger)
    }

    /// The application with its routes; `services` run in its service group (the pool, workers, …).
    public func makeApplication(
        services: [any Service], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter().router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "PromoLedger"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: store.logger)
    }

    /// The router and the list of routes it has (which the OpenAPI document must match).
    func makeRouter() -> RouteTable {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        let metrics = APIMetrics()
        let caches = CategoryCaches()
        let limiter = configuration.requestsPerSecondPerKey.map {
            RateLimiter(RateLimiter.Limit(perSecond: max($0, 0.001), burst: max(1, 2 * $0)))
        }
        let table = RouteTable(
            router: router,
            auth: AuthMiddleware(
                keys: ApiKeyStore(store: store, connectionWait: configuration.databaseWait), limiter: limiter),
            metrics: metrics)
        let states = StreamStates(store: store, capacity: configuration.keptStreams)
        let runner = CommandRunner(
            store: store, idempotency: IdempotencyStore(client: store.client, logger: store.logger), states: states,
            caches: caches, metrics: metrics, batching: configuration.writeBatching,
            maxAttempts: max(1, configuration.maxWriteAttempts)
        )
        table.addPublic(.get, "/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.text)))
        }
        HealthRoutes(store: store, expectedSteps: APIMigrations.withEventStore.map(\.version)).register(on: table)
        table.addPublic(.get, "/openapi.json") { _, _ in JSONResponse.make(body: OpenAPIDocument.json) }
        DashboardRoutes().register(on: table)
        AccessRoutes().register(on: table)
        ProductRoutes(runner: runner, states: states, caches: caches).register(on: table)
        StoreRoutes(runner: runner).register(on: table)
        StockRoutes(runner: runner, states: states).register(on: table)
        CampaignRoutes(runner: runner, states: states, caches: caches).register(on: table)
        QuoteRoutes(states: states, caches: caches).register(on: table)
        CouponRoutes(runner: runner, states: states, caches: caches).register(on: table)
        OrderRoutes(runner: runner, states: states, metrics: metrics, caches: caches).register(on: table)
        let customerKeys = CustomerKeyStore(client: store.client, logger: store.logger)
        CustomerRoutes(runner: runner, keys: customerKeys).register(on: table)
        ReadModelRoutes(catalog: readModels).register(on: table)
        ProfileRoutes(catalog: readModels, keys: customerKeys).register(on: table)
        ReportRoutes(catalog: readModels).register(on: table)
        LiveRoutes(feed: feed).register(on: table)
        AuditRoutes(store: store).register(on: table)
        return table
    }
}
