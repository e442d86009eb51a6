/// The level a kind prices at, from the level protocol its rule conforms to.
public enum PricingLevel: Sendable, Hashable {
    /// Unit by unit (``UnitOfferRule``) or bundle by bundle: at most one item-level promotion per unit.
    case item
    /// On the free units of the scope after item level (``OrderLevelRule``).
    case order
    /// After payment, on what is paid (``RebateRule``).
    case rebate
    /// Not priced (a lottery is drawn after the order).
    case none
}

/// Item level, unit by unit: the terms a product's units get from the rule. The engine ranks every
/// unit's offers by saving and gives each unit the best one (bundles compete in the same search).
protocol UnitOfferRule: CampaignRule {
    /// The terms units of `product` get, or nil; `inScope` says whether the campaign's scope covers it.
    func unitTerms(for product: Product, inScope: Bool) -> UnitTerms?
    /// Units one customer may buy on these terms, and how many are for sale (a flash sale); nil: unlimited.
    var unitLimit: (quantity: Int, perCustomer: Int)? { get }
    /// Units of one order that get the terms, across its lines, those saving most first (nil: every unit).
    var unitsPerOrder: Int? { get }
}

extension UnitOfferRule {
    var unitsPerOrder: Int? { nil }
}

/// What a unit pays under an item-level offer.
enum UnitTerms: Sendable, Hashable {
    /// This share of the list price off, in basis points.
    case percentOff(Int)
    /// This much off each unit's list price (never below 0).
    case amountOff(Fen)
    /// This unit price.
    case price(Fen)
}

/// Order level: the rule looks at its scope's free units after item level and says what it gives; the
/// engine books it (spreads an amount, adds a gift line, prices an add-on unit), checks stock and budget,
/// and enforces stacking.
protocol OrderLevelRule: Sendable {
    /// What the campaign gives on this cart, or why it gives nothing.
    func evaluate(_ scope: OrderScope) -> OrderEffect
    /// An add-on's SKU: left out of the add-on's own threshold base, and add-ons run before the other
    /// order-level campaigns. Nil for other kinds.
    var addOnSKU: String? { get }
    /// Whether `evaluate` reads the scope's unit nets (multi-buy, pick-any), which cost more to gather.
    var needsUnitNets: Bool { get }
    /// Whether the rule acts on the delivery fee only: outside order-level stacking.
    var isShipping: Bool { get }
}

extension OrderLevelRule {
    var addOnSKU: String? { nil }
    var needsUnitNets: Bool { false }
    var isShipping: Bool { false }
}

/// What an order-level rule sees: its scope's free units after item level.
struct OrderScope: Sendable {
    /// Item-level net of the scope's free units: what thresholds are measured on.
    var thresholdBase: Fen
    /// Current net of those units (earlier order-level campaigns taken off): what amounts are taken from.
    var running: Fen
    /// Free units in the scope.
    var units: Int
    /// The current nets of the scope's free units as runs of equal nets, most expensive first; empty unless
    /// the rule `needsUnitNets`. Runs, not units: a cart's units are bounded only by 10^8.
    var unitNets = UnitRuns()
}

/// Unit nets as runs of equal values, most expensive first.
struct UnitRuns: Sendable {
    var runs: [(net: Fen, count: Int)] = []

    /// Walks consecutive groups of `size` units from the most expensive: `body` gets a group's sum, its last
    /// (cheapest) unit's net, and how many identical groups in a row it stands for; it returns false to stop.
    func forEachGroup(of size: Int, _ body: (_ sum: Fen, _ cheapest: Fen, _ times: Int) -> Bool) {
        var run = 0
        var usedInRun = 0
        while run < runs.count {
            let left = runs[run].count - usedInRun
            if left >= size {
                // Whole groups inside this run are identical.
                let times = left / size
                if !body(runs[run].net * size, runs[run].net, times) { return }
                usedInRun += times * size
                if usedInRun == runs[run].count {
                    run += 1
                    usedInRun = 0
                }
                continue
            }
            // A group spanning runs.
            var sum = 0
            var cheapest = 0
            var taken = 0
            while taken < size && run < runs.count {
                let take = min(size - taken, runs[run].count - usedInRun)
                sum += runs[run].net * take
                cheapest = runs[run].net
                taken += take
                usedInRun += take
                if usedInRun == runs[run].count {
                    run += 1
                    usedInRun = 0
                }
            }
            if taken < size { return }
            if !body(sum, cheapest, 1) { return }
        }
    }
}

/// What an order-level campaign gives.
enum OrderEffect: Sendable, Hashable {
    /// This much off the scope, spread over its free units by their nets.
    case amountOff(Fen)
    /// These units of `sku`, free; their cost is charged to the gift-cost budget.
    case gift(sku: String, quantity: Int)
    /// One unit of `sku` in the cart at this price.
    case addOnPrice(sku: String, priceFen: Fen)
    /// This much off the cart's delivery fee (nil: all of it).
    case shippingOff(Fen?)
    case rejected(RejectionReason)
}

extension CampaignKind {
    /// The level the kind prices at.
    public var level: PricingLevel {
        let type = ruleType
        if type is any UnitOfferRule.Type || type == BundleRule.self { return .item }
        if type is any OrderLevelRule.Type { return .order }
        if type == RebateRule.self { return .rebate }
        return .none
    }
}
