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

/// An order of the customer's was placed (appended with the order, on `customer-{customerId}`): pricing counts
/// a customer's orders for first-order limits and new-customer audiences.
public struct CustomerOrderRecorded: DomainEvent {
    public static let eventType = "CustomerOrderRecorded"
    public static let sample = CustomerOrderRecorded(customerId: "u-1001", orderId: "o-20261111-0001")

    public var customerId: String
    public var orderId: String

    public init(customerId: String, orderId: String) {
        self.customerId = customerId
        self.orderId = orderId
    }
}

/// An order of the customer's was cancelled before shipping: it no longer counts as an order they made.
public struct CustomerOrderWithdrawn: DomainEvent {
    public static let eventType = "CustomerOrderWithdrawn"
    public static let sample = CustomerOrderWithdrawn(customerId: "u-1001", orderId: "o-20261111-0001")

    public var customerId: String
    public var orderId: String

    public init(customerId: String, orderId: String) {
        self.customerId = customerId
        self.orderId = orderId
    }
}

/// Marketing's own tags on a customer (`高价值`, `火锅爱好者`, …), replacing the ones set before: campaign audiences
/// match them along with the customer's taste preferences.
public struct CustomerTagsSet: DomainEvent {
    public static let eventType = "CustomerTagsSet"
    public static let sample = CustomerTagsSet(customerId: "u-1001", tags: ["hotpot-lover", "vip"])

    public var customerId: String
    public var tags: [String]

    public init(customerId: String, tags: [String]) {
        self.customerId = customerId
        self.tags = tags
    }
}
