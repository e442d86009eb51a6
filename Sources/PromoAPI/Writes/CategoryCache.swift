import EventStore
import PromoDomain
import Synchronization

/// Every stream of one category folded, kept in process and brought up to date by reading only what was appended
/// since: the catalog and the campaigns are read on every quote and order.
///
/// The cache keeps what is final: the events below the store's watermark, where no open transaction can still
/// commit one. Events above it are folded on top for each read and never kept, so a read sees every committed
/// event and the cache never skips one.
///
/// A read goes to the store only when this process wrote to the category since the last one (the runner counts
/// those writes in `changes`), or when the last is older than `maxAge` (what another process wrote shows within
/// that); concurrent reads share one trip. Under load, orders so cost no catalog or campaign reads at all: they
/// read the campaigns they use from their own streams (``StreamStates``), which are exact.
actor CategoryCache<State: EventSourced> {
    let category: String
    /// The event types it folds; nil: all of them.
    let types: Set<String>?
    /// The writes of this process that change what the cache holds.
    let changes: ChangeCounter
    /// How long a read may be reused when this process changed nothing. Default 100 ms.
    let maxAge: Duration
    private var streams: [String: FoldedStream<State>] = [:]
    /// Every event of the category below this position is folded into `streams`.
    private var finalBelow: Int64 = 0
    /// The last event folded into `streams` (a read that overlaps another skips what that one folded).
    private var lastFolded: Int64 = 0
    /// The last read: what it returned, when, at which count of local changes; and a read under way.
    private var last: (view: Snapshot, at: ContinuousClock.Instant, changes: UInt64)?
    private var reading: Task<Snapshot, any Error>?
    /// Counts the reads that brought something new.
    private var revision = 0

    /// The streams as one read saw them, and a number that changes whenever they do.
    struct Snapshot: Sendable {
        var streams: [String: FoldedStream<State>]
        var revision: Int
    }

    init(category: String, types: Set<String>? = nil, maxAge: Duration = .milliseconds(100)) {
        self.category = category
        self.types = types
        self.changes = ChangeCounter()
        self.maxAge = maxAge
    }

    /// The category's streams as the store holds them (within `maxAge` for other processes' writes).
    func current(_ store: PostgresEventStore) async throws -> [String: FoldedStream<State>] {
        try await snapshot(store).streams
    }

    func snapshot(_ store: PostgresEventStore) async throws -> Snapshot {
        let changes = changes.value
        if let last, last.changes == changes, ContinuousClock.now - last.at < maxAge { return last.view }
        if let reading { return try await reading.value }
        let started = ContinuousClock.now
        let task = Task { try await self.read(store) }
        reading = task
        defer { reading = nil }
        let view = try await task.value
        last = (view, started, changes)
        return view
    }

    private func read(_ store: PostgresEventStore) async throws -> Snapshot {
        // The watermark first: every event below it is committed, so the read that follows sees all of them.
        let watermark = try await store.watermark()
        var events: [RecordedEvent] = []
        var after = max(finalBelow - 1, 0)
        while true {
            let page = try await store.readCategory(category, after: after, limit: 1_000, types: types)
            events += page
            guard let last = page.last, page.count == 1_000 else { break }
            after = last.position
        }
        // No suspension from here on: the actor's state changes in one step, even with reads overlapping.
        let lastFoldedBefore = lastFolded
        var recent: [RecordedEvent] = []
        for event in events {
            if event.position >= watermark {
                recent.append(event)
            } else if event.position > lastFolded {
                try Self.fold(event, into: &streams)
                lastFolded = event.position
            }
        }
        finalBelow = max(finalBelow, watermark)
        if events.contains(where: { $0.position > lastFoldedBefore }) || !recent.isEmpty { revision += 1 }
        guard !recent.isEmpty else { return Snapshot(streams: streams, revision: revision) }
        var view = streams
        for event in recent { try Self.fold(event, into: &view) }
        return Snapshot(streams: view, revision: revision)
    }

    private static func fold(_ event: RecordedEvent, into streams: inout [String: FoldedStream<State>]) throws {
        var folded = streams[event.streamId] ?? FoldedStream(state: State(), version: 0)
        try folded.state.evolve(type: event.type, payload: event.payload)
        folded.version = event.streamVersion
        streams[event.streamId] = folded
    }
}

/// Counts this process's writes that a cache must not miss.
final class ChangeCounter: Sendable {
    private let count = Atomic<UInt64>(0)
    var value: UInt64 { count.load(ordering: .acquiring) }
    func bump() { count.add(1, ordering: .releasing) }
}

/// The catalog as pricing takes it, derived once per catalog read.
struct CatalogView: Sendable {
    var products: [(product: ProductDefined, version: Int64)]
    var catalog: [Product]
    var skus: Set<String>
    var versions: [String: Int64]
}

/// The categories every quote and order reads whole, cached per server.
final class CategoryCaches: Sendable {
    let products = CategoryCache<ProductState>(category: "product")
    /// The campaigns' definitions and lifecycle only: what orders consume is read from each campaign's own stream
    /// (``StreamStates``), so this cache neither reads nor folds an event per order.
    let campaigns = CategoryCache<CampaignStreamState>(
        category: "campaign", types: CampaignStreamState.definitionEventTypes)
    let engines = EngineCache()
    let definitions = DefinitionCache()
    private let catalogView = Mutex<(revision: Int, view: CatalogView)?>(nil)

    /// Tells the caches what this process just appended: a product defined, a campaign created, adjusted or
    /// moved through its lifecycle. (A campaign's consumption is not among them: pricing reads it from the
    /// campaign's own stream.)
    func appended(_ appends: [StreamAppend]) {
        for append in appends {
            switch append.streamId.category {
            case products.category: products.changes.bump()
            case campaigns.category
            where append.events.contains(where: { CampaignStreamState.definitionEventTypes.contains($0.type) }):
                campaigns.changes.bump()
            default: break
            }
        }
    }

    /// The catalog: every product defined on its own stream (`product-{sku}`), with the stream's version. A
    /// stream of the category whose definition names another SKU is not a catalog entry.
    func catalog(_ store: PostgresEventStore) async throws -> [(product: ProductDefined, version: Int64)] {
        try await view(store).products
    }

    /// The catalog with what pricing derives from it, derived again only when a read brought something new.
    func view(_ store: PostgresEventStore) async throws -> CatalogView {
        let snapshot = try await products.snapshot(store)
        if let kept = catalogView.withLock({ $0 }), kept.revision == snapshot.revision { return kept.view }
        let products = snapshot.streams.compactMap { streamId, folded -> (product: ProductDefined, version: Int64)? in
            guard let product = folded.state.product, streamId == "product-\(product.sku)" else { return nil }
            return (product, folded.version)
        }
        let catalog = products.map(\.product).map {
            Product(
                sku: $0.sku, name: $0.name, priceFen: Int($0.priceFen), costFen: Int($0.costFen),
                category: $0.category, tags: $0.tags)
        }
        let view = CatalogView(
            products: products, catalog: catalog, skus: Set(catalog.map(\.sku)),
            versions: Dictionary(products.map { ($0.product.sku, $0.version) }) { a, _ in a })
        catalogView.withLock { $0 = (snapshot.revision, view) }
        return view
    }
}

/// What a pricing engine is built from, by version: a product's stream version, a campaign's definition version
/// (orders change its budgets, which quotes pass apart, not its definition), the coupon-rebate templates.
struct EngineKey: Hashable, Sendable {
    var products: [String: Int64]
    var campaigns: [String: Int]
    var templates: [String]
}

/// The engine built last, kept while the catalog and the active campaigns' definitions stay as they were:
/// building one compiles every campaign against every product, which costs more than pricing a cart.
final class EngineCache: Sendable {
    private let last = Mutex<(key: EngineKey, engine: PricingEngine)?>(nil)

    func engine(for key: EngineKey, build: () throws(PricingInputError) -> PricingEngine) throws(PricingInputError)
        -> PricingEngine
    {
        if let cached = last.withLock({ $0 }), cached.key == key { return cached.engine }
        let engine = try build()
        last.withLock { $0 = (key, engine) }
        return engine
    }
}

/// Campaign definitions decoded and checked, by campaign and definition version: a definition never changes
/// under its version, and the catalog only grows, so one that checked once checks for good.
final class DefinitionCache: Sendable {
    private let decoded = Mutex<[String: (version: Int, campaign: Campaign)]>([:])

    func campaign(_ definition: JSONValue, version: Int, knownSKUs: @autoclosure () -> Set<String>) throws -> Campaign {
        let id = definition["campaignId"]?.stringValue ?? ""
        if let kept = decoded.withLock({ $0[id] }), kept.version == version { return kept.campaign }
        let campaign = try CampaignRoutes.checkStored(definition, knownSKUs: knownSKUs())
        decoded.withLock { $0[id] = (version, campaign) }
        return campaign
    }
}
