import Foundation

/// A projection's SQL definition: `Projections/sql/NAME.vN.sql`.
///
/// The file opens with a header of `-- key: value` lines, then the statements that create its tables and
/// indexes, each ending with `;` at the end of a line:
///
/// ```sql
/// -- projection: stock_levels
/// -- version: 1
/// -- consumes: StockReceived, StockAdjusted, SafetyStockSet
/// -- tables: stock_levels
/// CREATE TABLE stock_levels (...);
/// ```
///
/// The statements run in a schema of their own for each generation (``ProjectionCatalog``), so they name
/// tables without a schema. `tables` are the ones readers see, as views in schema `rm`. An optional
/// `-- omits: record, quote.rejected` names payload keys (dot-separated for nested ones) the handler never reads:
/// the parser skips them without building them (an order's `record` is most of its payload). An optional
/// `-- unread: OrderPlaced` names consumed event types whose payload the handler never reads (it counts them):
/// they arrive with an empty payload, and the database does not turn theirs into text.
public struct ProjectionDefinition: Sendable, Hashable {
    public var name: String
    public var version: Int
    /// The event types the projection reads; an empty list means every event.
    public var consumes: [String]
    /// The tables readers query, through views `rm.TABLE`.
    public var tables: [String]
    public var statements: [String]
    /// Payload keys (`record`, `quote.rejected`) left out of the events the handler gets.
    public var omits: [String]
    /// Consumed event types whose payload the handler never reads: they arrive with `{}` as their payload.
    public var unread: [String]

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public init(
        name: String, version: Int, consumes: [String], tables: [String], statements: [String], omits: [String] = [],
        unread: [String] = []
    ) {
        self.omits = omits
        self.unread = unread
        self.name = name
        self.version = version
        self.consumes = consumes
        self.tables = tables
        self.statements = statements
    }

    /// The statements that create secondary indexes (`CREATE INDEX`, not `CREATE UNIQUE INDEX`), which a
    /// generation built beside the live one gets only once it has caught up.
    ///
    /// Rows put in a table one batch at a time pay for every index on each insert; an index made once over the
    /// finished table is a sort. Rebuilding the eight read models over a million events without their 16
    /// secondary indexes took 7 % less CPU, and making them afterwards a few hundred milliseconds. A handler's
    /// statements find their rows by primary key, so they do not need them while the generation is built.
    public var secondaryIndexStatements: [String] { statements.filter(Self.createsSecondaryIndex) }

    /// Every statement but the secondary indexes: the tables, their keys and constraints.
    public var tableStatements: [String] { statements.filter { !Self.createsSecondaryIndex($0) } }

    static func createsSecondaryIndex(_ statement: String) -> Bool {
        let code = statement.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("--") }
        return code?.uppercased().hasPrefix("CREATE INDEX ") ?? false
    }

    /// Parses a definition file's text; `file` names it in errors.
    public init(parsing text: String, file: String) throws {
        var header: [String: String] = [:]
        var body: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if body.isEmpty, trimmed.hasPrefix("--") {
                let content = trimmed.dropFirst(2)
                if let colon = content.firstIndex(of: ":") {
                    let key = content[..<colon].trimmingCharacters(in: .whitespaces)
                    header[key] = content[content.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                continue
            }
            if body.isEmpty, trimmed.isEmpty { continue }
            body.append(String(line))
        }
        func list(_ key: String) -> [String] {
            (header[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
        }
        guard let name = header["projection"], Self.isIdentifier(name) else {
            throw Invalid(description: "\(file): the header needs `-- projection: NAME` (lower case, digits, _)")
        }
        guard let versionText = header["version"], let version = Int(versionText), version > 0 else {
            throw Invalid(description: "\(file): the header needs `-- version: N` with N ≥ 1")
        }
        let tables = list("tables")
        guard !tables.isEmpty, tables.allSatisfy(Self.isIdentifier) else {
            throw Invalid(description: "\(file): the header needs `-- tables: a, b` naming the tables readers see")
        }
        var statements: [String] = []
        var current: [String] = []
        for line in body {
            current.append(line)
            if line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                statements.append(current.joined(separator: "\n"))
                current = []
            }
        }
        if current.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("--") }) {
            throw Invalid(description: "\(file): the last statement does not end with `;`")
        }
        let unread = list("unread")
        guard unread.allSatisfy(list("consumes").contains) else {
            throw Invalid(description: "\(file): `-- unread:` lists event types the projection consumes")
        }
        let omits = list("omits")
        guard omits.allSatisfy(Self.isPayloadKey) else {
            throw Invalid(
                description: "\(file): `-- omits:` lists payload keys (letters and digits, `a.b` for a nested one)")
        }
        self.init(
            name: name, version: version, consumes: list("consumes"), tables: tables, statements: statements,
            omits: omits, unread: unread)
    }

    /// A payload key path as events name them: keys of ASCII letters and digits, each starting with a letter,
    /// joined by `.`.
    static func isPayloadKey(_ text: String) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { key in
            guard let first = key.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII, key.count <= 40
            else { return false }
            return key.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))
            }
        }
    }

    /// Lower-case letters, digits and `_`, starting with a letter: safe to splice into SQL as a name.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.count <= 40 else {
            return false
        }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
