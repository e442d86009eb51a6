/// A customer as the channel systems maintain it (`PUT /v1/customers/{customerId}`), in clear: only in memory.
public struct CustomerProfile: Sendable, Equatable {
    /// Loyalty tiers, lowest first.
    public enum Tier: String, Sendable, Codable, CaseIterable {
        case regular, silver, gold
    }

    /// Whether the customer agreed to be contacted on each channel.
    public struct Consents: Sendable, Codable, Equatable {
        public var sms: Bool
        public var wechat: Bool
        public var app: Bool

        public init(sms: Bool, wechat: Bool, app: Bool) {
            self.sms = sms
            self.wechat = wechat
            self.app = app
        }
    }

    public var name: String
    public var phone: String
    public var address: String
    public var region: String
    public var tier: Tier
    public var tastePreferences: [String]
    public var consents: Consents

    /// Checks every field against ``InputLimits``, naming the field.
    public init(
        name: String, phone: String, address: String, region: String, tier: Tier, tastePreferences: [String],
        consents: Consents
    ) throws(FieldError) {
        self.name = try InputLimits.text(name, field: "name", length: 1...100)
        self.phone = try InputLimits.text(phone, field: "phone", length: InputLimits.phoneLength)
        guard phone.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || "+- ".utf8.contains($0) })
        else { throw FieldError(field: "phone", message: "may hold only digits, '+', '-' and spaces") }
        self.address = try InputLimits.text(address, field: "address", length: InputLimits.addressLength)
        self.region = try InputLimits.text(region, field: "region", length: InputLimits.labelLength)
        self.tier = tier
        self.tastePreferences = try InputLimits.labels(tastePreferences, field: "tastePreferences")
        self.consents = consents
    }
}
