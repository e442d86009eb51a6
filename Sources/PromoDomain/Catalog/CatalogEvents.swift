/// A product was defined or redefined: the whole product record, as marketing maintains it.
///
/// Version 2 added `tags` (promotion tags such as `spicy`); version 1 payloads are read with no tags.
public struct ProductDefined: DomainEvent {
    public static let eventType = "ProductDefined"
    public static let schemaVersion = 2

    public var sku: String
    public var name: String
    public var spec: String
    /// 产地, the place of origin.
    public var origin: String
    public var shelfLifeDays: Int
    public var priceFen: Int64
    public var costFen: Int64
    public var category: String
    public var tags: [String]

    public init(
        sku: String, name: String, spec: String, origin: String, shelfLifeDays: Int, priceFen: Int64,
        costFen: Int64, category: String, tags: [String]
    ) {
        self.sku = sku
        self.name = name
        self.spec = spec
        self.origin = origin
        self.shelfLifeDays = shelfLifeDays
        self.priceFen = priceFen
        self.costFen = costFen
        self.category = category
        self.tags = tags
    }

    public static let sample = ProductDefined(
        sku: "HP-001", name: "牛油火锅底料", spec: "500g", origin: "重庆", shelfLifeDays: 365, priceFen: 3990,
        costFen: 1800, category: "hotpot", tags: ["spicy", "hotpot"])

    /// v1 had no `tags`.
    public static let upcasterFromV1 = Upcaster(eventType: eventType, fromVersion: 1) { payload in
        guard case .object(var members) = payload else { return payload }
        if members["tags"] == nil { members["tags"] = .array([]) }
        return .object(members)
    }
}

/// A store or channel outlet was defined or redefined.
///
/// Version 2 added `fulfilmentLocation`, the stock location its orders reserve at; version 1 payloads are read
/// with the store's own id there, which is what API.md makes the default.
public struct StoreDefined: DomainEvent {
    public static let eventType = "StoreDefined"
    public static let schemaVersion = 2

    public var storeId: String
    public var name: String
    public var region: String
    /// `online` or `store`.
    public var channel: String
    /// Where orders from this store reserve stock (`stock-{sku}@{fulfilmentLocation}`).
    public var fulfilmentLocation: String

    public init(storeId: String, name: String, region: String, channel: String, fulfilmentLocation: String? = nil) {
        self.storeId = storeId
        self.name = name
        self.region = region
        self.channel = channel
        self.fulfilmentLocation = fulfilmentLocation ?? storeId
    }

    public static let sample = StoreDefined(
        storeId: "s-cd-01", name: "成都春熙路店", region: "sichuan", channel: "store", fulfilmentLocation: "wh-chengdu")

    /// v1 had no `fulfilmentLocation`: the store fulfilled from its own stock.
    public static let upcasterFromV1 = Upcaster(eventType: eventType, fromVersion: 1) { payload in
        guard case .object(var members) = payload else { return payload }
        if members["fulfilmentLocation"] == nil { members["fulfilmentLocation"] = members["storeId"] ?? .null }
        return .object(members)
    }
}
