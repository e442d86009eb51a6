/// An API key was created (`apikey-{keyId}`). Neither the key nor its hash is in the event; the metadata's
/// `actor` says who created it.
public struct ApiKeyCreated: DomainEvent {
    public static let eventType = "ApiKeyCreated"

    public var keyId: String
    public var name: String
    public var role: String

    public init(keyId: String, name: String, role: String) {
        self.keyId = keyId
        self.name = name
        self.role = role
    }

    public static let sample = ApiKeyCreated(keyId: "k8f3a91c2d4e6", name: "online mall", role: "channel")
}

/// An API key was revoked: every later request with it is answered 401. The metadata's `actor` says who.
public struct ApiKeyRevoked: DomainEvent {
    public static let eventType = "ApiKeyRevoked"

    public var keyId: String

    public init(keyId: String) { self.keyId = keyId }

    public static let sample = ApiKeyRevoked(keyId: "k8f3a91c2d4e6")
}
