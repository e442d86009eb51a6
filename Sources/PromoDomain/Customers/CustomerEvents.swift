/// A customer's profile was set or changed. `name`, `phone` and `address` are sealed (see ``PIICipher``): the
/// event never holds them in clear, and erasing the customer's key crypto-shreds them without rewriting history.
public struct CustomerProfileSet: DomainEvent {
    public static let eventType = "CustomerProfileSet"

    public var customerId: String
    public var name: String
    public var phone: String
    public var address: String
    public var region: String
    public var tier: String
    public var tastePreferences: [String]
    public var consents: CustomerProfile.Consents

    public init(
        customerId: String, name: String, phone: String, address: String, region: String, tier: String,
        tastePreferences: [String], consents: CustomerProfile.Consents
    ) {
        self.customerId = customerId
        self.name = name
        self.phone = phone
        self.address = address
        self.region = region
        self.tier = tier
        self.tastePreferences = tastePreferences
        self.consents = consents
    }

    public static let sample = CustomerProfileSet(
        customerId: "u-1", name: "aesgcm1:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQ", phone: "aesgcm1:3q2+7wABAgMEBQYHCAkKCw==",
        address: "aesgcm1:ZGVhZGJlZWZkZWFkYmVlZg==", region: "sichuan", tier: "gold",
        tastePreferences: ["spicy", "hotpot"], consents: .init(sms: true, wechat: true, app: false))
}
