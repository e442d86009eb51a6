/// One versioned schema step. Steps run in version order, each once, inside one transaction per step.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// Statements run in order; one statement each (the extended query protocol runs one at a time).
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
