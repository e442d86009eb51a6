/// Why a key operation failed; ``description`` is safe to show.
public struct ApiKeyError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let name: String
        private init(_ name: String) { self.name = name }
        public static let unknownKey = Code("unknown_key")
        public static let alreadyRevoked = Code("already_revoked")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
