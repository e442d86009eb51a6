import EventStore
import PromoDomain
import Synchronization

/// Every stream of one category folded, kept in process and brought up to date by reading only what was appended
/// since: the catalog and the campaigns are read on every quote and order, and their events (a campaign's
/// consumption above all) grow with every order.
///
/// The cache keeps what is final: the events below the store's watermark, where no open transaction can still
/// commit one. Events above it are folded on top for each read and never kept, so a read sees every committed
/// event and the cache never skips one.
actor CategoryCache<State: EventSourced> {
    let category: String
    private var streams: [String: FoldedStream<State>] = [:]
    /// Every event of the category below this position is folded into `streams`.
    private var finalBelow: Int64 = 0
    /// The last event folded into `streams` (a read that overlaps another skips what that one folded).
    private var lastFolded: Int64 = 0

    init(category: String) {
        self.category = category
    }

    /// The category's streams as the store holds them now.
    func current(_ store: PostgresEventStore) async throws -> [String: FoldedStream<State>] {
        // The watermark first: every event below it is committed, so the read that follows sees all of them.
        let watermark = try await store.watermark()
        var events: [RecordedEvent] = []
        var after = max(finalBelow - 1, 0)
        while true {
            let page = try await store.readCategory(category, after: after, limit: 1_000)
            events += page
            guard let last = page.last, page.count == 1_000 else { break }
            after = last.position
        }
        // No suspension from here on: the actor's state changes in one step, even with reads overlapping.
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
        guard !recent.isEmpty else { return streams }
        var view = streams
        for event in recent { try Self.fold(event, into: &view) }
        return view
    }

    private static func fold(_ event: RecordedEvent, into streams: inout [String: FoldedStream<State>]) throws {
        var folded = streams[event.streamId] ?? FoldedStream(state: State(), version: 0)
        try folded.state.evolve(type: event.type, payload: event.payload)
        folded.version = event.streamVersion
        streams[event.streamId] = folded
    }
}

/// The categories every quote and order reads whole, cached per server.
struct CategoryCaches: Sendable {
    let products = CategoryCache<ProductState>(category: "product")
    let campaigns = CategoryCache<CampaignStreamState>(category: "campaign")
    let engines = EngineCache()
    let definitions = DefinitionCache()

    /// The catalog: every product defined on its own stream (`product-{sku}`), with the stream's version. A
    /// stream of the category whose definition names another SKU is not a catalog entry.
    func catalog(_ store: PostgresEventStore) async throws -> [(product: ProductDefined, version: Int64)] {
        try await products.current(store).compactMap { streamId, folded in
            guard let product = folded.state.product, streamId == "product-\(product.sku)" else { return nil }
            return (product, folded.version)
        }
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
