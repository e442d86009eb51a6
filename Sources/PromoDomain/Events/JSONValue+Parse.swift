/// Why a text is not JSON, with the byte offset where reading stopped.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Parses one JSON document (RFC 8259), leaving out the members at `omitting`: they are skipped, not built
    /// (a reader that does not need an order's full quote pays only for finding where it ends). Nesting is
    /// limited to 256 levels so hostile input cannot exhaust the stack.
    public init(parsing text: String, omitting: JSONPaths = .none) throws(JSONParseError) {
        try self.init(parsing: text.utf8, omitting: omitting)
    }

    /// Parses one JSON document from UTF-8 bytes, leaving out the members at `omitting`.
    public init(parsing bytes: some Collection<UInt8>, omitting: JSONPaths = .none) throws(JSONParseError) {
        let parse = { (buffer: UnsafeBufferPointer<UInt8>) in
            Result { () throws(JSONParseError) in try JSONValue(parsing: buffer, omitting: omitting) }
        }
        self = try (bytes.withContiguousStorageIfAvailable(parse) ?? Array(bytes).withUnsafeBufferPointer(parse)).get()
    }

    /// Parses one JSON document from the UTF-8 bytes of `buffer`, leaving out the members at `omitting`.
    public init(parsing buffer: UnsafeBufferPointer<UInt8>, omitting: JSONPaths = .none) throws(JSONParseError) {
        var parser = JSONParser(bytes: buffer)
        self = try parser.parseDocument(omitting: omitting)
    }
}

/// Members of a JSON document named by their paths of object keys (`record`, `quote.rejected`).
public struct JSONPaths: Sendable, Hashable {
    /// For each key at this level, the paths below it; an entry without any (`isEnd`) names the member itself.
    var children: [String: JSONPaths] = [:] {
        didSet { byteKeys = children.map { Member(key: Array($0.key.utf8), paths: $0.value) } }
    }
    var isEnd = false
    /// The children with their keys as UTF-8, for a reader that compares bytes (``JSONTape``).
    private(set) var byteKeys: [Member] = []

    struct Member: Sendable, Hashable {
        var key: [UInt8]
        var paths: JSONPaths
    }

    public static let none = JSONPaths()

    /// Paths written with dots between their keys: `["record", "quote.rejected"]`.
    public init(dotted paths: [String] = []) {
        for path in paths {
            insert(path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)[...])
        }
    }

    private mutating func insert(_ keys: ArraySlice<String>) {
        guard let first = keys.first else {
            isEnd = true
            return
        }
        var child = children[first] ?? JSONPaths()
        child.insert(keys.dropFirst())
        children[first] = child
    }

    public var isEmpty: Bool { children.isEmpty && !isEnd }

    /// The top-level members omitted whole, in key order.
    public var members: [String] { children.filter(\.value.isEnd).keys.sorted() }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0
    static let maxDepth = 256

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The document, without the members at `omitting`.
    mutating func parseDocument(omitting: JSONPaths = .none) throws(JSONParseError) -> JSONValue {
        let value = try parseValue(omitting: omitting.isEmpty ? nil : omitting)
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected text after the document") }
        return value
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(omitting: JSONPaths? = nil) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(omitting: omitting)
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw fail("invalid literal")
        }
        index += count
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw fail("nesting deeper than \(Self.maxDepth)") }
    }

    /// Moves past one value without building it. Strings and nesting are followed so that the value's end is
    /// found; what lies inside is not checked beyond that.
    mutating func skipValue() throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var open = 0
            repeat {
                guard index < bytes.count else { throw fail("unexpected end of input") }
                switch bytes[index] {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    open += 1
                    index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    open -= 1
                    index += 1
                case UInt8(ascii: "\""):
                    try skipString()
                default:
                    index += 1
                }
            } while open > 0
        default:
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return
                default: index += 1
                }
            }
        }
    }

    /// Moves past a string (at its opening quote), escapes included.
    mutating func skipString() throws(JSONParseError) {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += 2
            default:
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    mutating func parseObject(omitting: JSONPaths? = nil) throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [String: JSONValue] = [:]
        // Most objects of an event have a handful of members: growing from empty rehashes them three times.
        members.reserveCapacity(8)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            if let below = omitting?.children[key] {
                if below.isEnd {
                    try skipValue()
                } else {
                    members[key] = try parseValue(omitting: below)
                }
            } else {
                members[key] = try parseValue()
            }
            if try closes(UInt8(ascii: "}")) { return .object(members) }
        }
    }

    /// After a member or an item: moves past the `,` before the next one and returns false, or past `closing`
    /// and returns true.
    mutating func closes(_ closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return false
        }
        guard bytes[index] == closing else {
            throw fail(closing == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'")
        }
        index += 1
        return true
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue())
            if try closes(UInt8(ascii: "]")) { return .array(items) }
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes. An ASCII string needs no validation (`String(validating:)` costs a generic
        // metadata lookup per call, which showed in profiles of projection rebuilds).
        var high: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if high < 0x80 { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8") }
                return s
            }
            high |= byte
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in string") }
            index += 1
        }
        var scalars = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let s = String(validating: scalars, as: UTF8.self) else { throw fail("invalid UTF-8") }
                return s
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw fail("unexpected end of input") }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw fail("unpaired surrogate") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw fail("unpaired surrogate")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid escape") }
                    scalars.append(contentsOf: String(Character(scalar)).utf8)
                default: throw fail("invalid escape")
                }
            default:
                if byte < 0x20 { throw fail("control character in string") }
                scalars.append(byte)
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("unexpected end of input") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw fail("invalid number")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits else { throw fail("invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits else { throw fail("invalid number") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let int = Int64(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else { throw fail("number out of range") }
        if double == double.rounded(), abs(double) < 9.0e15 { return .int(Int64(double)) }
        return .double(double)
    }
}
