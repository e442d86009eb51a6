/// What an append expects of a stream's current version; the append fails whole when it does not hold.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// Append whatever the version is.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream's last version must be exactly this (1-based).
    case exact(Int64)

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "noStream"
        case .exact(let version): "\(version)"
        }
    }

    func admits(actual: Int64) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == 0
        case .exact(let version): actual == version
        }
    }
}
