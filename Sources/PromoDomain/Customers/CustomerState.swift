/// A customer's stream (`customer-{customerId}`) folded, with the personal data opened by the customer's key.
public struct CustomerState: Sendable, Equatable {
    /// The profile as last set, or nil before the first one.
    public private(set) var profile: CustomerProfile?

    public init() {}

    /// Folds the stream's events, opening sealed fields with `cipher`.
    public init(events: [(type: String, payload: JSONValue)], cipher: any PIICipher) throws {
        for event in events where event.type == CustomerProfileSet.eventType {
            let set = try event.payload.decode(as: CustomerProfileSet.self)
            profile = try CustomerProfile(
                name: try cipher.open(set.name, field: "name"), phone: try cipher.open(set.phone, field: "phone"),
                address: try cipher.open(set.address, field: "address"), region: set.region,
                tier: CustomerProfile.Tier(rawValue: set.tier) ?? .regular, tastePreferences: set.tastePreferences,
                consents: set.consents)
        }
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
