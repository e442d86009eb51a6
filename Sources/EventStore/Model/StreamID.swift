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
        let lower = UInt8(ascii: "a")...UInt8(ascii: "z")
        let digit = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard let first = category.utf8.first, lower.contains(first),
            category.utf8.allSatisfy({ lower.contains($0) || digit.contains($0) })
        else {
            throw EventStoreError(
                .invalidStreamID, "stream category '\(category)' must be lower-case letters and digits")
        }
        guard !id.isEmpty, id.utf8.count <= 800, Self.isVisible(id) else {
            throw EventStoreError(
                .invalidStreamID, "stream id '\(rawValue)' needs 1 to 200 visible characters after the category")
        }
        self.rawValue = rawValue
    }

    /// 1 to 200 characters, none of them white space or a control character. Ids are nearly always ASCII,
    /// checked byte by byte; others by character (grapheme breaking and property lookups cost more).
    private static func isVisible(_ id: Substring) -> Bool {
        if id.utf8.allSatisfy({ $0 < 0x80 }) {
            return id.utf8.count <= 200 && id.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F }
        }
        return id.count <= 200 && !id.contains(where: { $0.isWhitespace || $0.isNewline })
            && !id.unicodeScalars.contains(where: \.isControl)
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
