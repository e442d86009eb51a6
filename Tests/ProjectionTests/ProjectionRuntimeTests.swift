import EventStore
import Foundation
import PostgresNIO
import ProjectionRuntime
import PromoDomain
import PromoProjections
import PromoTestSupport
import Synchronization
import Testing

@Suite("Projection runtime: checkpoints, leases, parked events, rebuilds")
struct ProjectionRuntimeTests {
    /// Stock movements of fresh SKUs, and what the command side's own fold says they come to.
    struct StockHistory {
        var skus: [String]
        var lastPosition: Int64 = 0
        var expected: [String: StockState] = [:]

        init(count: Int) {
            let prefix = ProjectionTestKit.suffix()
            skus = (1...count).map { "T\(prefix)-\($0)" }
        }

        mutating func append(_ store: PostgresEventStore, round: Int) async throws {
            for (index, sku) in skus.enumerated() {
                for location in ["online", "store-cd-01"] {
                    let order = "order-\(round)-\(index)"
                    let events: [any DomainEvent] = [
                        StockReceived(sku: sku, location: location, quantity: 100 + index),
                        SafetyStockSet(sku: sku, location: location, quantity: 20 + round),
                        StockReserved(sku: sku, location: location, quantity: 30, orderId: order),
                        StockReleased(sku: sku, location: location, quantity: 10, orderId: order),
                        StockIssued(sku: sku, location: location, quantity: 15, orderId: order),
                        StockAdjusted(sku: sku, location: location, delta: -2, reason: "damaged"),
                        StockReturned(sku: sku, location: location, quantity: 3, orderId: order),
                    ]
                    let stream = try StreamID("stock-\(sku)@\(location)")
                    let result = try await store.append(
                        to: stream, expectedVersion: .any, events: try events.map { try NewEvent($0) })
                    lastPosition = max(lastPosition, result.lastPosition)
                    var state = expected["\(sku)@\(location)"] ?? StockState()
                    for event in events {
                        try state.evolve(type: type(of: event).eventType, payload: try JSONValue(encoding: event))
                    }
                    expected["\(sku)@\(location)"] = state
                }
            }
        }

        /// The rows the read model must hold, as `(sku,location,on_hand,reserved,safety,available,below)`.
        var expectedRows: [String] {
            expected.sorted { $0.key < $1.key }.map { key, state in
                let parts = key.split(separator: "@")
                return "(\(parts[0]),\(parts[1]),\(state.onHand),\(state.reserved),\(state.safetyStock),"
                    + "\(state.available),\(state.isLow ? "t" : "f"))"
            }
        }
    }

    static func levels(_ catalog: ProjectionCatalog, _ history: StockHistory) async throws -> [String] {
        try await ProjectionTestKit.rows(
            catalog, "stock_levels", columns: "sku, location, on_hand, reserved, safety_stock, available, below_safety",
            where: "sku = ANY(\(history.skus))")
    }

    @Test("Stock levels follow the log and equal the command side's fold; a rebuild from 0 gives the same rows")
    func followAndRebuild() async throws {
        try await ProjectionTestKit.withDatabase { store in
            let projection = try ProjectionTestKit.stockLevels()
            let catalog = ProjectionCatalog(store: store, projections: [projection])
            var history = StockHistory(count: 6)
            try await history.append(store, round: 1)
            try await ProjectionTestKit.running(catalog) {
                #expect(
                    try await catalog.waitUntil(projection.name, reaches: history.lastPosition, timeout: .seconds(60)))
                #expect(try await Self.levels(catalog, history) == history.expectedRows)
                // Received 100+i, reserved 30 − released 10 − issued 15 = 5, on hand 100+i − 15 − 2 + 3 = 86+i,
                // safety 21; available 81+i, not below safety.
                #expect(history.expectedRows.first == "(\(history.skus[0]),online,86,5,21,81,f)")

                try await history.append(store, round: 2)
                #expect(try await catalog.generations(of: projection.name).map(\.generation) == [1])
                try await catalog.requestRebuild(projection.name)
                try await ProjectionTestKit.eventually("the rebuilt generation goes live") {
                    try await catalog.generations(of: projection.name).map(\.generation) == [2]
                }
                #expect(
                    try await catalog.waitUntil(projection.name, reaches: history.lastPosition, timeout: .seconds(60)))
                #expect(try await Self.levels(catalog, history) == history.expectedRows)
                // Round 2 added 100+i and reserved 5 more net; safety stock moved to 22.
                #expect(history.expectedRows.first == "(\(history.skus[0]),online,172,10,22,162,f)")
                // The old generation's schema is gone.
                let schemas = try await store.client.leasedQuery(
                    "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'rm\\_stock\\_levels\\_g%' ORDER BY 1",
                    logger: TestDatabase.logger
                ) { rows in
                    var names: [String] = []
                    for try await name in rows.decode(String.self) { names.append(name) }
                    return names
                }
                #expect(schemas == ["rm_stock_levels_g2"])
                let status = try await catalog.status(of: projection)
                #expect(status.generation == 2)
                #expect(status.status == "running")
                #expect(status.lagEvents == 0)
                #expect(status.rebuild == nil)
                #expect(status.parked.isEmpty)
            }
        }
    }

    @Test("A rebuild is written without its secondary indexes; they are made before readers switch to it")
    func rebuildDefersIndexes() async throws {
        try await ProjectionTestKit.withDatabase { store in
            let projection = try ProjectionTestKit.stockLevels()
            let catalog = ProjectionCatalog(store: store, projections: [projection])
            var history = StockHistory(count: 3)
            try await history.append(store, round: 1)
            let secondary: Set = ["stock_levels_location", "stock_levels_below_safety"]
            func indexes(_ schema: String) async throws -> Set<String> {
                try await store.client.leasedQuery(
                    "SELECT indexname::text FROM pg_indexes WHERE schemaname = \(schema)", logger: TestDatabase.logger
                ) { rows in
                    var names = Set<String>()
                    for try await name in rows.decode(String.self) { names.insert(name) }
                    return names
                }
            }
            func pending(_ generation: Int) async throws -> Int {
                try await store.client.leasedValue(
                    """
                    SELECT cardinality(indexes_pending) FROM projection_generations
                    WHERE name = \(projection.name) AND generation = \(Int32(generation))
                    """, as: Int.self, logger: TestDatabase.logger) ?? -1
            }
            // The first generation, read while it is built, has every index from the start.
            try await ProjectionTestKit.running(catalog) { () async throws in
                #expect(
                    try await catalog.waitUntil(projection.name, reaches: history.lastPosition, timeout: .seconds(60)))
            }
            let first = try #require(try await catalog.generations(of: projection.name).first)
            #expect(secondary.isSubset(of: try await indexes(first.schema)))
            // Asked for while no worker runs: created with its tables and keys, its indexes waiting.
            let building = try await catalog.requestRebuild(projection.name)
            #expect(building.state == .building)
            #expect(try await indexes(building.schema).isDisjoint(with: secondary))
            #expect(try await indexes(building.schema).contains("stock_levels_pkey"))
            #expect(try await pending(building.generation) == 2)
            try await ProjectionTestKit.running(catalog) { () async throws in
                try await ProjectionTestKit.eventually("the rebuilt generation goes live") {
                    try await catalog.generations(of: projection.name).map(\.generation) == [building.generation]
                }
            }
            #expect(secondary.isSubset(of: try await indexes(building.schema)))
            #expect(try await pending(building.generation) == 0)
            #expect(try await Self.levels(catalog, history) == history.expectedRows)
        }
    }

    @Test("Two processes: exactly one runs the projection; when it stops the other takes over and nothing counts twice")
    func oneRunnerAndTakeover() async throws {
        try await ProjectionTestKit.withDatabase { store in
            let projection = try ProjectionTestKit.stockLevels()
            let first = ProjectionCatalog(store: store, projections: [projection])
            // A second "process": a pool of its own on the same database.
            try await ScratchDatabase.withClient(
                ScratchDatabase.url(TestDatabase.url, database: try await Self.databaseName(store)), maxConnections: 4
            ) { client in
                var history = StockHistory(count: 4)
                try await history.append(store, round: 1)
                let second = ProjectionCatalog(
                    store: PostgresEventStore(client: client, logger: TestDatabase.logger), projections: [projection])
                let a = ProjectionTestKit.start(first)
                try await ProjectionTestKit.eventually("the first process holds the lease") {
                    try await first.status(of: projection).workerRunning
                }
                try await ProjectionTestKit.running(second) {
                    #expect(
                        try await first.waitUntil(projection.name, reaches: history.lastPosition, timeout: .seconds(60))
                    )
                    #expect(try await Self.leaseHolders(first, projection) == 1)
                    try await history.append(store, round: 2)
                    #expect(
                        try await first.waitUntil(projection.name, reaches: history.lastPosition, timeout: .seconds(60))
                    )
                    #expect(try await Self.levels(first, history) == history.expectedRows)

                    // The first process stops; the second takes over and continues from the checkpoint.
                    a.cancel()
                    await a.value
                    try await history.append(store, round: 3)
                    #expect(
                        try await second.waitUntil(
                            projection.name, reaches: history.lastPosition, timeout: .seconds(60)))
                    #expect(try await Self.leaseHolders(first, projection) == 1)
                    #expect(try await Self.levels(first, history) == history.expectedRows)
                }
            }
        }
    }

    static func databaseName(_ store: PostgresEventStore) async throws -> String {
        try await store.client.leasedValue("SELECT current_database()::text", as: String.self, logger: store.logger)
            ?? ""
    }

    static func leaseHolders(_ catalog: ProjectionCatalog, _ projection: Projection) async throws -> Int64 {
        try await catalog.store.client.leasedValue(
            """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = \(Int64(0x5052_4A4C))::oid AND objid = (hashtext(\(projection.name))::bigint & 4294967295)::oid
            """, as: Int64.self, logger: TestDatabase.logger) ?? 0
    }

    /// Appends `count` events of `type` to a fresh stream; the ones in `poison` carry `"poison": true`.
    static func appendNumbered(
        _ store: PostgresEventStore, type: String, count: Int, poison: Set<Int> = []
    ) async throws -> [Int64] {
        let stream = TestDatabase.uniqueStream("projtest")
        var positions: [Int64] = []
        for n in 1...count {
            let payload: JSONValue = ["n": .int(Int64(n)), "poison": .bool(poison.contains(n))]
            let result = try await store.append(
                to: stream, expectedVersion: .any, events: [NewEvent(type: type, payload: payload)])
            positions.append(result.lastPosition)
        }
        return positions
    }

    static func seen(_ store: PostgresEventStore, table: String = "seen") async throws -> [Int64] {
        try await store.client.leasedQuery(
            PostgresQuery(unsafeSQL: "SELECT n FROM rm.\(table) ORDER BY position"), logger: TestDatabase.logger
        ) { rows in
            var values: [Int64] = []
            for try await n in rows.decode(Int64.self) { values.append(n) }
            return values
        }
    }

    @Test("Payload keys a definition omits never reach its handler: poison the handler cannot see is no poison")
    func omittedKeys() async throws {
        try await ProjectionTestKit.withDatabase { store in
            var definition = RecordingHandler.definition(name: "omitting", type: "Numbered")
            definition.omits = ["poison", "nested.deeper"]
            let projection = Projection(definition: definition, handler: RecordingHandler(), batchSize: 4)
            let catalog = ProjectionCatalog(store: store, projections: [projection])
            let positions = try await Self.appendNumbered(store, type: "Numbered", count: 6, poison: [2, 5])
            try await ProjectionTestKit.running(catalog) { () async throws in
                #expect(try await catalog.waitUntil(projection.name, reaches: positions[5], timeout: .seconds(60)))
                #expect(try await Self.seen(store) == [1, 2, 3, 4, 5, 6])
                #expect(try await catalog.status(of: projection).parked.isEmpty)
            }
        }
    }

    @Test("Definition headers: every read model's file loads; omits are payload keys; a broken header names the file")
    func definitions() throws {
        #expect(
            try ReadModels.all().map(\.name) == [
                "stock_levels", "budget_burn", "campaign_dashboard", "alerts", "customer_profiles", "sales",
                "reconciliation", "uplift",
            ])
        let text =
            "-- projection: x\n-- version: 2\n-- tables: t\n-- omits: record, quote.rejected\nCREATE TABLE t (a int);\n"
        let parsed = try ProjectionDefinition(parsing: text, file: "x.v2.sql")
        #expect(parsed.omits == ["record", "quote.rejected"])
        #expect(
            try ReadModels.all().first { $0.name == "alerts" }?.definition.unread == ["OrderPlaced", "OrderRefunded"])
        #expect(throws: ProjectionDefinition.Invalid.self) {
            try ProjectionDefinition(
                parsing: text.replacingOccurrences(
                    of: "-- tables: t\n", with: "-- tables: t\n-- consumes: A\n-- unread: B\n"),
                file: "x.v2.sql")
        }
        #expect(parsed.statements == ["CREATE TABLE t (a int);"])
        // Secondary indexes, after a comment or not, are made once a rebuild has caught up; unique ones never wait.
        let indexed = try ProjectionDefinition(
            parsing: text
                + "CREATE INDEX t_a ON t (a);\n-- for lookups by b\ncreate index t_b on t (b)\n  WHERE b > 0;\n"
                + "CREATE UNIQUE INDEX t_c ON t (c);\n",
            file: "x.v2.sql")
        #expect(
            indexed.secondaryIndexStatements == [
                "CREATE INDEX t_a ON t (a);", "-- for lookups by b\ncreate index t_b on t (b)\n  WHERE b > 0;",
            ])
        #expect(indexed.tableStatements == ["CREATE TABLE t (a int);", "CREATE UNIQUE INDEX t_c ON t (c);"])
        for bad in ["a'b", "quote..rejected", "quote.", "1st"] {
            #expect(throws: ProjectionDefinition.Invalid.self, "\(bad)") {
                try ProjectionDefinition(
                    parsing: text.replacingOccurrences(of: "record, quote.rejected", with: bad), file: "x.v2.sql")
            }
        }
        do {
            _ = try ProjectionDefinition(
                parsing: "-- projection: x\n-- version: 1\nCREATE TABLE t ();", file: "x.v1.sql")
            Issue.record("a header without tables was accepted")
        } catch let error as ProjectionDefinition.Invalid {
            #expect(error.description.hasPrefix("x.v1.sql: "))
        }
    }

    @Test("A poison event is parked: status failed, the others keep running; retry after a fix goes on")
    func poisonRetry() async throws {
        try await ProjectionTestKit.withDatabase { store in
            let handler = RecordingHandler()
            let poisoned = Projection(
                definition: RecordingHandler.definition(name: "poisoned", type: "Numbered"), handler: handler,
                batchSize: 4)
            let healthy = try ProjectionTestKit.stockLevels()
            let catalog = ProjectionCatalog(store: store, projections: [poisoned, healthy])
            let positions = try await Self.appendNumbered(store, type: "Numbered", count: 6, poison: [3])
            var history = StockHistory(count: 2)
            try await history.append(store, round: 1)
            try await ProjectionTestKit.running(catalog) {
                try await ProjectionTestKit.eventually("the poison event is parked") {
                    try await catalog.status(of: poisoned).status == "failed"
                }
                let failed = try await catalog.status(of: poisoned)
                #expect(failed.parked.map(\.position) == [positions[2]])
                #expect(failed.parked.first?.eventType == "Numbered")
                #expect(failed.parked.first?.error.contains("poison at \(positions[2])") == true)
                #expect(failed.parked.first?.attempts == 3)
                // Stopped before the parked event, past the last one handled: exactly positions[1], or a little
                // further when a batch ended at the watermark (another transaction in the cluster still open) with
                // no event of its types between.
                #expect(
                    failed.position >= positions[1] && failed.position < positions[2],
                    "stopped right before the parked event")
                #expect(try await Self.seen(store) == [1, 2])
                // The other projection is not held up.
                #expect(try await catalog.waitUntil(healthy.name, reaches: history.lastPosition, timeout: .seconds(60)))
                #expect(try await Self.levels(catalog, history) == history.expectedRows)

                // Retried before the fix: parked again. After it: everything, each once.
                #expect(try await catalog.retry(poisoned.name) == 1)
                try await ProjectionTestKit.eventually("parked again") {
                    try await catalog.status(of: poisoned).parked.first?.attempts == 6
                }
                handler.cured.store(true, ordering: .relaxed)
                #expect(try await catalog.retry(poisoned.name) == 1)
                #expect(try await catalog.waitUntil(poisoned.name, reaches: positions[5], timeout: .seconds(60)))
                #expect(try await Self.seen(store) == [1, 2, 3, 4, 5, 6])
                let recovered = try await catalog.status(of: poisoned)
                #expect(recovered.status == "running")
                #expect(recovered.parked.isEmpty)
                await #expect(throws: ProjectionError.self) { try await catalog.retry(poisoned.name) }
            }
        }
    }

    @Test("Skipping a parked event moves past it; a handler that throws once loses and repeats nothing")
    func skipAndFailOnce() async throws {
        try await ProjectionTestKit.withDatabase { store in
            let poisoned = Projection(
                definition: RecordingHandler.definition(name: "skipped", type: "Numbered"),
                handler: RecordingHandler(), batchSize: 4)
            var flakyDefinition = RecordingHandler.definition(name: "flaky", type: "Numbered")
            flakyDefinition.tables = ["seen_flaky"]
            flakyDefinition.statements = [
                "CREATE TABLE seen (position bigint PRIMARY KEY, stream_id text NOT NULL, n bigint NOT NULL)",
                "CREATE VIEW seen_flaky AS SELECT * FROM seen",
            ]
            let flakyHandler = RecordingHandler(failOnce: true)
            flakyHandler.cured.store(true, ordering: .relaxed)
            let flaky = Projection(definition: flakyDefinition, handler: flakyHandler, batchSize: 4)
            let catalog = ProjectionCatalog(store: store, projections: [poisoned, flaky])
            let positions = try await Self.appendNumbered(store, type: "Numbered", count: 5, poison: [2])
            try await ProjectionTestKit.running(catalog) {
                try await ProjectionTestKit.eventually("the poison event is parked") {
                    try await catalog.status(of: poisoned).status == "failed"
                }
                #expect(try await catalog.skip(poisoned.name) == [positions[1]])
                #expect(try await catalog.waitUntil(poisoned.name, reaches: positions[4], timeout: .seconds(60)))
                #expect(try await Self.seen(store) == [1, 3, 4, 5])
                #expect(try await catalog.status(of: poisoned).parked.isEmpty)

                // The flaky one failed its first batch, then handled every event exactly once.
                #expect(try await catalog.waitUntil(flaky.name, reaches: positions[4], timeout: .seconds(60)))
                #expect(try await Self.seen(store, table: "seen_flaky") == [1, 2, 3, 4, 5])
                #expect(flakyHandler.calls.load(ordering: .relaxed) >= 2)
                #expect(try await catalog.status(of: flaky).parked.isEmpty)
            }
        }
    }

    @Test("A worker whose session is killed mid-batch resumes from its checkpoint: nothing applied twice or skipped")
    func killedMidBatch() async throws {
        try await ProjectionTestKit.withDatabase { store in
            let projection = Projection(
                definition: RecordingHandler.definition(name: "killed", type: "Numbered"), handler: SlowHandler(),
                batchSize: 3)
            let catalog = ProjectionCatalog(store: store, projections: [projection])
            let positions = try await Self.appendNumbered(store, type: "Numbered", count: 30)
            try await ProjectionTestKit.running(catalog) {
                // Kill the worker's session while a batch sleeps inside its transaction, twice.
                for _ in 1...2 {
                    // A query may be lent the connection of the session just killed, before the pool has seen
                    // it close (an error): the next round asks again.
                    try await ProjectionTestKit.eventually("a batch in flight is killed") {
                        (try? await store.client.leasedQuery(
                            """
                            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                            WHERE datname = current_database() AND wait_event = 'PgSleep'
                              AND query LIKE 'SELECT pg_sleep(0.3) /* batch */%'
                            """, logger: TestDatabase.logger
                        ) { rows in
                            var any = false
                            for try await terminated in rows.decode(Bool.self) where terminated { any = true }
                            return any
                        }) ?? false
                    }
                }
                #expect(try await catalog.waitUntil(projection.name, reaches: positions[29], timeout: .seconds(60)))
                #expect(try await Self.seen(store) == Array(1...30))
            }
        }
    }
}

/// Records like ``RecordingHandler`` but sleeps inside each batch, so a test can kill the session mid-batch.
struct SlowHandler: ProjectionHandler {
    func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        for event in events {
            try await connection.execute(
                "INSERT INTO seen (position, stream_id, n) VALUES (\(event.position), \(event.streamId), \(event.payload["n"]?.intValue ?? 0))",
                logger: logger)
        }
        try await connection.execute("SELECT pg_sleep(0.3) /* batch */", logger: logger)
    }
}

@Suite("Budget burn read model")
struct BudgetBurnTests {
    /// A campaign with a 10 000 total and 8 000 discount budget; two orders consume, one is cancelled, the
    /// discount budget is raised to 9 000 and the total limit removed. Returns the last position.
    static func history(_ store: PostgresEventStore, campaign: String) async throws -> Int64 {
        let stream = try StreamID("campaign-\(campaign)")
        func use(_ type: String, order: String, discount: Int64, gift: Int64) -> NewEvent {
            NewEvent(
                type: type,
                payload: [
                    "campaignId": .string(campaign), "orderId": .string(order), "customerId": "u-1",
                    "day": "2026-11-11",
                    "discountFen": .int(discount), "giftCostFen": .int(gift), "couponSubsidyFen": 0, "pointsCostFen": 0,
                    "flashUnits": 0,
                ])
        }
        let events: [NewEvent] = [
            try NewEvent(
                CampaignCreated(
                    campaignId: campaign,
                    definition: [
                        "campaignId": .string(campaign), "budget": ["totalFen": 10_000, "discountFen": 8_000],
                    ])),
            use(CampaignBudgetConsumed.eventType, order: "o-1", discount: 3_000, gift: 500),
            use(CampaignBudgetConsumed.eventType, order: "o-2", discount: 4_000, gift: 0),
            try NewEvent(
                CampaignBudgetThresholdCrossed(
                    campaignId: campaign, orderId: "o-2", budget: "discountFen", thresholdBp: 8_000, consumedFen: 7_000,
                    limitFen: 8_000)),
            use(CampaignBudgetReleased.eventType, order: "o-1", discount: 3_000, gift: 500),
            try NewEvent(
                CampaignAdjusted(
                    campaignId: campaign,
                    definition: ["campaignId": .string(campaign), "budget": ["discountFen": 9_000]],
                    changed: ["budget"])),
        ]
        var last: Int64 = 0
        for event in events {
            last = try await store.append(to: stream, expectedVersion: .any, events: [event]).lastPosition
        }
        return last
    }

    @Test("Limits follow the definition; consumed, released, left and percent per sub-budget; thresholds with when")
    func burn() async throws {
        try await ProjectionTestKit.withDatabase { store in
            let real = try #require(try ReadModels.all().first { $0.name == BudgetBurn.name })
            let projection = Projection(definition: real.definition, handler: real.handler, batchSize: 2)
            let catalog = ProjectionCatalog(store: store, projections: [projection])
            let last = try await Self.history(store, campaign: "c-burn")
            try await ProjectionTestKit.running(catalog) {
                #expect(try await catalog.waitUntil(BudgetBurn.name, reaches: last, timeout: .seconds(60)))
                let rows = try await ProjectionTestKit.rows(
                    catalog, "budget_burn",
                    columns: "budget, limit_fen, consumed_fen, released_fen, net_fen, left_fen, percent",
                    where: "campaign_id = 'c-burn'")
                #expect(
                    rows == [
                        "(couponSubsidyFen,,0,0,0,,)",
                        "(discountFen,9000,7000,3000,4000,5000,44.44)",
                        "(giftCostFen,,500,500,0,,)",
                        "(pointsCostFen,,0,0,0,,)",
                        "(totalFen,,7500,3500,4000,,)",
                    ])
                let crossed = try await ProjectionTestKit.rows(
                    catalog, "budget_thresholds_crossed",
                    columns: "campaign_id, budget, threshold_bp, order_id, consumed_fen, limit_fen",
                    where: "true")
                #expect(crossed == ["(c-burn,discountFen,8000,o-2,7000,8000)"])
            }
        }
    }
}
