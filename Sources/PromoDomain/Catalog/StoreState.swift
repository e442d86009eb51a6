/// A store's stream (`store-{storeId}`) folded: the store as last defined, or nil.
public struct StoreState: EventSourced, Equatable {
    public private(set) var store: StoreDefined?

    public init() {}

    public mutating func evolve(type: String, payload: JSONValue) throws {
        if type == StoreDefined.eventType { store = try payload.decode(as: StoreDefined.self) }
    }

    /// None when the store is already exactly so, else the new definition.
    public func decide(_ command: DefineStore) -> [StoreDefined] {
        store == command.store ? [] : [command.store]
    }
}
