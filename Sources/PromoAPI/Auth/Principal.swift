import PromoDomain

/// The API key a request was made with: its id (the `actor` of every event it causes), name and role.
public struct Principal: Sendable, Equatable {
    public var keyId: String
    public var name: String
    public var role: AccessRole

    public init(keyId: String, name: String, role: AccessRole) {
        self.keyId = keyId
        self.name = name
        self.role = role
    }
}
