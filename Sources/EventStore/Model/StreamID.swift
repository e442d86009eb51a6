import Foundation

/// A stream's name, `category-id` (e.g. `order-8812`, `stock-HP001@online`).
///
/// The category is everything before the first `-`: lower-case letters and digits, starting with a letter.
/// The id part is 1 to 200 visible characters: no white space, no control characters. The id is kept in
/// Unicode normalisation form C, so two spellings of one name (a precomposed `é` and `e` + combining accent)
/// are one stream, in Swift and in PostgreSQL alike.
public struct StreamID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let rawValue: String

    public init(_ spelling: String) throws(EventStoreError) {
        let rawValue = spelling.nfc
        guard let dash = rawValue.firstIndex(of: "-") else {
            throw EventStoreError(.invalidStreamID, "stream id '\(rawValue)' has no category: write it as category-id")
        }
        let category = rawValue[..<dash]
        let id = rawValue[rawValue.index(after: dash)...]
        guard let first = category.first, first.isASCII, first.isLowercase,
            category.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) })
        else {
            throw EventStoreError(
                .invalidStreamID, "stream category '\(category)' must be lower-case letters and digits")
        }
        guard !id.isEmpty, id.count <= 200, id.utf8.count <= 800,
            !id.contains(where: { $0.isWhitespace || $0.isNewline }),
            !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw EventStoreError(
                .invalidStreamID, "stream id '\(rawValue)' needs 1 to 200 visible characters after the category")
        }
        self.rawValue = rawValue
    }

    public init(category: String, id: String) throws(EventStoreError) {
        try self.init("\(category)-\(id)")
    }

    public var category: String { String(rawValue[..<rawValue.firstIndex(of: "-")!]) }
    public var description: String { rawValue }
    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(raw) } catch { throw error }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension String {
    /// The string in Unicode normalisation form C; ASCII (the usual id) is its own NFC and skips the work.
    var nfc: String {
        utf8.allSatisfy { $0 < 0x80 } ? self : precomposedStringWithCanonicalMapping
    }
}
