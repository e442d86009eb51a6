/// A customer's stream (`customer-{customerId}`) folded, with the personal data opened by the customer's key.
public struct CustomerState: Sendable, Equatable {
    /// The profile as last set, or nil before the first one.
    public private(set) var profile: CustomerProfile?

    public init() {}

    /// The profile of `record`, its sealed fields opened with `cipher`.
    public init(record: CustomerRecord, cipher: any PIICipher) throws {
        guard let set = record.lastProfile else { return }
        profile = try CustomerProfile(
            name: try cipher.open(set.name, field: "name"), phone: try cipher.open(set.phone, field: "phone"),
            address: try cipher.open(set.address, field: "address"), region: set.region,
            tier: CustomerProfile.Tier(rawValue: set.tier) ?? .regular, tastePreferences: set.tastePreferences,
            consents: set.consents)
    }

    /// Folds the stream's events, opening sealed fields with `cipher`.
    public init(events: [(type: String, payload: JSONValue)], cipher: any PIICipher) throws {
        var record = CustomerRecord()
        for event in events { try record.evolve(type: event.type, payload: event.payload) }
        try self.init(record: record, cipher: cipher)
    }

    /// None when the profile is already exactly so; else the new profile, sealed with `cipher`.
    public func decide(customerId: String, profile new: CustomerProfile, cipher: any PIICipher) throws
        -> [CustomerProfileSet]
    {
        guard profile != new else { return [] }
        return [
            CustomerProfileSet(
                customerId: customerId, name: try cipher.seal(new.name, field: "name"),
                phone: try cipher.seal(new.phone, field: "phone"),
                address: try cipher.seal(new.address, field: "address"),
                region: new.region, tier: new.tier.rawValue, tastePreferences: new.tastePreferences,
                consents: new.consents)
        ]
    }
}

/// A customer's stream folded without opening anything: the profile as last set, still sealed, and how many
/// orders they have. Pricing reads tier, region, tastes and orders from it; opening the sealed fields takes the
/// customer's key (``CustomerState``).
public struct CustomerRecord: EventSourced, Equatable {
    public private(set) var lastProfile: CustomerProfileSet?
    /// The orders counted as theirs: placed while they had a profile, and not cancelled.
    public private(set) var countedOrders: Set<String> = []
    /// Marketing's tags on the customer, as last set.
    public private(set) var tags: [String] = []

    public init() {}

    /// What campaign audiences match: the customer's taste preferences and marketing's tags, each once.
    public var audienceTags: [String] {
        var seen = Set<String>()
        return ((lastProfile?.tastePreferences ?? []) + tags).filter { seen.insert($0).inserted }
    }

    /// Orders placed and not cancelled: 0 for a new customer.
    public var orders: Int { countedOrders.count }

    /// Only a customer with a profile has their orders counted. An id without one (a walk-in guest, often one
    /// id for all of them) prices as a new customer on every order, and so is not one hot stream written by
    /// every guest's order.
    public var countsOrders: Bool { lastProfile != nil }

    public mutating func evolve(type: String, payload: JSONValue) throws {
        switch type {
        case CustomerProfileSet.eventType: lastProfile = try payload.decode(as: CustomerProfileSet.self)
        case CustomerOrderRecorded.eventType:
            countedOrders.insert(try payload.decode(as: CustomerOrderRecorded.self).orderId)
        case CustomerOrderWithdrawn.eventType:
            countedOrders.remove(try payload.decode(as: CustomerOrderWithdrawn.self).orderId)
        case CustomerTagsSet.eventType:
            tags = try payload.decode(as: CustomerTagsSet.self).tags
        default: break
        }
    }
}
