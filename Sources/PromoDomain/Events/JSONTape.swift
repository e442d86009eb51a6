import Foundation

/// A JSON document read once into a flat list of its values ("tape"), decoded from there without building a
/// ``JSONValue`` tree.
///
/// Projection workers decode every event of their types, mostly into small structs that take a few members of
/// a large payload. Built as a tree, each payload cost a dictionary per object (every key hashed on insert, then
/// again on lookup), a string per string value, and freeing it all afterwards: under `perf`, half of
/// `promoctl`'s time when eight read models were rebuilt at once. A tape is one array of nodes per document;
/// members are found by comparing key bytes, and a string is made only for the values a decoder asks for.
///
/// Decoding from a tape gives what decoding from the tree gives (``JSONValue/decode(as:)``): the same values,
/// the same errors with the same coding paths, the members at `omitting` absent, and a key given twice read as
/// its last value. The document is checked for structure while the tape is built; a value's own text (a
/// number, a string's escapes and UTF-8) is checked when it is decoded or turned into a ``JSONValue``.
public struct JSONTape: Sendable {
    enum Kind: UInt8 { case object, array, string, number, bool, null, key }

    /// One value, or one member's key. `start..<end` is its text (a string's and a key's with their quotes);
    /// `next` is the index of the node after it and everything inside it.
    struct Node {
        var kind: Kind
        /// A string or key with a backslash in it; for `bool`, whether it is `true`.
        var flag: Bool
        var start: Int32
        var end: Int32
        var next: Int32
    }

    /// The text and its nodes, in one object: every decoder and container holds the tape, and copying it is one
    /// reference count, not two.
    final class Storage: Sendable {
        let bytes: [UInt8]
        let nodes: [Node]
        let uniqueKeys: Bool

        init(bytes: [UInt8], nodes: [Node], uniqueKeys: Bool) {
            self.bytes = bytes
            self.nodes = nodes
            self.uniqueKeys = uniqueKeys
        }
    }
    let storage: Storage
    var bytes: [UInt8] { storage.bytes }
    var nodes: [Node] { storage.nodes }

    /// Reads `bytes`, leaving out the members at `omitting` (skipped, not put on the tape). `uniqueKeys` says that
    /// no object of the text has a key twice, as in the text PostgreSQL writes for a `jsonb` value: a member is
    /// then the first found, not the last.
    public init(parsing bytes: [UInt8], omitting: JSONPaths = .none, uniqueKeys: Bool = false) throws(JSONParseError) {
        guard bytes.count < Int32.max else { throw JSONParseError(offset: 0, reason: "document too large") }
        var nodes: [Node] = []
        nodes.reserveCapacity(max(8, bytes.count / 12))
        try bytes.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) in
            var parser = JSONParser(bytes: buffer)
            try parser.tapeValue(into: &nodes, omitting: omitting.isEmpty ? nil : omitting)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw parser.fail("unexpected text after the document") }
        }
        storage = Storage(bytes: bytes, nodes: nodes, uniqueKeys: uniqueKeys)
    }

    /// The whole document as a tree (what the tree parser would have built with the same omissions).
    public var value: JSONValue {
        get throws(JSONParseError) { try value(at: 0) }
    }

    /// Decodes the document as `T`, as ``JSONValue/decode(as:)`` would from ``value``.
    public func decode<T: Decodable>(as type: T.Type) throws -> T {
        try TapeDecoder.decode(type, in: self, at: 0, codingPath: [])
    }

    // MARK: Reading nodes

    func value(at index: Int) throws(JSONParseError) -> JSONValue {
        let node = nodes[index]
        switch node.kind {
        case .null: return .null
        case .bool: return .bool(node.flag)
        case .string, .key: return .string(try string(at: index))
        case .number: return try number(at: index)
        case .array:
            var values: [JSONValue] = []
            for item in items(ofArrayAt: index) { values.append(try value(at: item)) }
            return .array(values)
        case .object:
            var members: [String: JSONValue] = [:]
            for key in keys(ofObjectAt: index) { members[try string(at: key)] = try value(at: key + 1) }
            return .object(members)
        }
    }

    /// The string (or key) at `index`, unescaped and checked.
    func string(at index: Int) throws(JSONParseError) -> String {
        try reading(at: index) { (parser: inout JSONParser) throws(JSONParseError) in try parser.parseString() }
    }

    /// The number at `index`: `.int` or `.double`, as the tree parser reads it.
    func number(at index: Int) throws(JSONParseError) -> JSONValue {
        let end = Int(nodes[index].end)
        return try reading(at: index) { (parser: inout JSONParser) throws(JSONParseError) in
            let number = try parser.parseNumber()
            guard parser.index == end else { throw parser.fail("invalid number") }
            return number
        }
    }

    /// `read` with the tree parser placed where the node at `index` starts: the tape finds where a value ends,
    /// the parser reads what it says.
    private func reading<T>(
        at index: Int, _ read: (inout JSONParser) throws(JSONParseError) -> T
    ) throws(JSONParseError) -> T {
        let start = Int(nodes[index].start)
        return try bytes.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) in
            var parser = JSONParser(bytes: buffer)
            parser.index = start
            return try read(&parser)
        }
    }

    /// A scalar's value for a decoder: what the tree would hold there (containers built in full, which only an
    /// error message or a `JSONValue` member needs).
    func scalar(at index: Int) throws -> JSONValue {
        do { return try value(at: index) } catch { throw Self.corrupted(error) }
    }

    static func corrupted(_ error: JSONParseError, _ codingPath: [any CodingKey] = []) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: error.description, underlyingError: error))
    }

    /// The value of member `key` of the object at `index` (its last, if given twice), or nil.
    func member(_ key: String, ofObjectAt index: Int) -> Int? {
        var key = key
        let storage = storage
        return key.withUTF8 { wanted in
            storage.bytes.withUnsafeBufferPointer { buffer in
                storage.nodes.withUnsafeBufferPointer { nodes in
                    var found: Int?
                    var at = index + 1
                    let end = Int(nodes[index].next)
                    while at < end {
                        let node = nodes[at]
                        if node.flag {
                            if (try? string(at: at)) == String(decoding: wanted, as: UTF8.self) { found = at + 1 }
                        } else if Int(node.end - node.start) - 2 == wanted.count,
                            wanted.isEmpty
                                || memcmp(buffer.baseAddress! + Int(node.start) + 1, wanted.baseAddress!, wanted.count)
                                    == 0
                        {
                            found = at + 1
                        }
                        if found != nil, storage.uniqueKeys { return found }
                        at = Int(nodes[at + 1].next)
                    }
                    return found
                }
            }
        }
    }

    /// The key nodes of the object at `index`, in document order (each member's value is the node after).
    func keys(ofObjectAt index: Int) -> [Int] {
        var keys: [Int] = []
        var at = index + 1
        while at < Int(nodes[index].next) {
            keys.append(at)
            at = Int(nodes[at + 1].next)
        }
        return keys
    }

    /// The items of the array at `index`.
    func items(ofArrayAt index: Int) -> [Int] {
        var items: [Int] = []
        var at = index + 1
        while at < Int(nodes[index].next) {
            items.append(at)
            at = Int(nodes[at].next)
        }
        return items
    }
}

extension JSONParser {
    /// Puts the value at the reading position on the tape, members at `omitting` left out.
    mutating func tapeValue(into nodes: inout [JSONTape.Node], omitting: JSONPaths?) throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        let start = Int32(index)
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try enter()
            defer { depth -= 1 }
            let at = nodes.count
            nodes.append(JSONTape.Node(kind: .object, flag: false, start: start, end: 0, next: 0))
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                    let key = try tapeString(kind: .key)
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    index += 1
                    var below: JSONPaths?
                    if let omitting { below = try omitted(key, in: omitting) }
                    if below?.isEnd == true {
                        try skipValue()
                    } else {
                        nodes.append(key)
                        try tapeValue(into: &nodes, omitting: below)
                    }
                    if try closes(UInt8(ascii: "}")) { break }
                }
            }
            nodes[at].end = Int32(index)
            nodes[at].next = Int32(nodes.count)
        case UInt8(ascii: "["):
            try enter()
            defer { depth -= 1 }
            let at = nodes.count
            nodes.append(JSONTape.Node(kind: .array, flag: false, start: start, end: 0, next: 0))
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
            } else {
                while true {
                    try tapeValue(into: &nodes, omitting: nil)
                    if try closes(UInt8(ascii: "]")) { break }
                }
            }
            nodes[at].end = Int32(index)
            nodes[at].next = Int32(nodes.count)
        case UInt8(ascii: "\""):
            var node = try tapeString(kind: .string)
            node.next = Int32(nodes.count + 1)
            nodes.append(node)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let kind: JSONTape.Kind
            let truth = bytes[index] == UInt8(ascii: "t")
            switch bytes[index] {
            case UInt8(ascii: "t"): try expectLiteral("true"); kind = .bool
            case UInt8(ascii: "f"): try expectLiteral("false"); kind = .bool
            default: try expectLiteral("null"); kind = .null
            }
            nodes.append(
                JSONTape.Node(kind: kind, flag: truth, start: start, end: Int32(index), next: Int32(nodes.count + 1)))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            scanning: while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                    UInt8(ascii: "e"), UInt8(ascii: "E"):
                    index += 1
                default:
                    break scanning
                }
            }
            nodes.append(
                JSONTape.Node(kind: .number, flag: false, start: start, end: Int32(index), next: Int32(nodes.count + 1))
            )
        default:
            throw fail("unexpected character")
        }
    }

    /// The string at the reading position (its opening quote) as a node, found to its end; its text is checked
    /// when it is read.
    private mutating func tapeString(kind: JSONTape.Kind) throws(JSONParseError) -> JSONTape.Node {
        let start = index
        index += 1
        var escaped = false
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return JSONTape.Node(kind: kind, flag: escaped, start: Int32(start), end: Int32(index), next: 0)
            case UInt8(ascii: "\\"):
                escaped = true
                index += 2
            default:
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    /// The omitted paths below the member whose key is `key`, when any.
    private func omitted(_ key: JSONTape.Node, in paths: JSONPaths) throws(JSONParseError) -> JSONPaths? {
        if key.flag {
            var parser = self
            parser.index = Int(key.start)
            return paths.children[try parser.parseString()]
        }
        let start = Int(key.start) + 1
        let count = Int(key.end - key.start) - 2
        for member in paths.byteKeys where member.key.count == count {
            let same = member.key.withUnsafeBufferPointer { name in
                count == 0 || memcmp(bytes.baseAddress! + start, name.baseAddress!, count) == 0
            }
            if same { return member.paths }
        }
        return nil
    }
}

// MARK: - Decoding

/// Decodes from one node of a tape. The coding path is kept as the parent's and the last key, and made into an
/// array only when asked for (a nested container, an error): an array per value decoded would cost more than the
/// value.
struct TapeDecoder: Decoder {
    let tape: JSONTape
    let index: Int
    let parentPath: [any CodingKey]
    let last: (any CodingKey)?
    var codingPath: [any CodingKey] {
        guard let last else { return parentPath }
        return parentPath + [last]
    }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(tape: JSONTape, index: Int, parentPath: [any CodingKey], last: (any CodingKey)?) {
        self.tape = tape
        self.index = index
        self.parentPath = parentPath
        self.last = last
    }

    static func decode<T: Decodable>(_ type: T.Type, in tape: JSONTape, at index: Int, codingPath: [any CodingKey])
        throws -> T
    {
        try decode(type, TapeDecoder(tape: tape, index: index, parentPath: codingPath, last: nil))
    }

    /// As ``JSONTreeDecoder``: a `JSONValue`, `Date` or `Data` member is read from the value the tree would hold.
    static func decode<T: Decodable>(_ type: T.Type, _ decoder: TapeDecoder) throws -> T {
        if T.self == JSONValue.self || T.self == Date.self || T.self == Data.self {
            return try JSONTreeDecoder.decode(
                type, from: try decoder.tape.scalar(at: decoder.index), codingPath: decoder.codingPath)
        }
        return try T(from: decoder)
    }

    var kind: JSONTape.Kind { tape.nodes[index].kind }

    func mismatch(_ type: Any.Type) -> DecodingError {
        TreeDecoder.mismatch(type, (try? tape.scalar(at: index)) ?? .null, codingPath)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard kind == .object else { throw mismatch([String: JSONValue].self) }
        return KeyedDecodingContainer(TapeKeyedDecoder<Key>(tape: tape, object: index, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard kind == .array else { throw mismatch([JSONValue].self) }
        return TapeUnkeyedDecoder(tape: tape, items: tape.items(ofArrayAt: index), codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { TapeSingleDecoder(decoder: self) }

    // The scalar readers, as the tree decoder's (`TreeDecoder`) on the value the tree would hold there.
    func string() throws -> String {
        guard kind == .string else { throw mismatch(String.self) }
        do { return try tape.string(at: index) } catch { throw JSONTape.corrupted(error, codingPath) }
    }
    func bool() throws -> Bool {
        guard kind == .bool else { throw mismatch(Bool.self) }
        return tape.nodes[index].flag
    }
    private func number() throws -> JSONValue {
        do { return try tape.number(at: index) } catch { throw JSONTape.corrupted(error, codingPath) }
    }
    func double() throws -> Double {
        guard kind == .number else { throw mismatch(Double.self) }
        return try TreeDecoder.double(try number(), codingPath)
    }
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard kind == .number else { throw mismatch(T.self) }
        return try TreeDecoder.integer(T.self, try number(), codingPath)
    }
    var isNull: Bool { kind == .null }
}

private struct TapeKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let tape: JSONTape
    let object: Int
    let codingPath: [any CodingKey]

    var allKeys: [Key] {
        tape.keys(ofObjectAt: object).compactMap { key in (try? tape.string(at: key)).flatMap(Key.init(stringValue:)) }
    }
    func contains(_ key: Key) -> Bool { tape.member(key.stringValue, ofObjectAt: object) != nil }

    private func value(_ key: Key) throws -> TapeDecoder {
        guard let index = tape.member(key.stringValue, ofObjectAt: object) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no value for \"\(key.stringValue)\""))
        }
        return TapeDecoder(tape: tape, index: index, parentPath: codingPath, last: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key).bool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key).string() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key).double() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try value(key).double()) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key).integer(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(key).integer(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(key).integer(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(key).integer(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key).integer(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(key).integer(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(key).integer(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(key).integer(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(key).integer(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(key).integer(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try TapeDecoder.decode(type, try value(key))
    }

    // One lookup of the key rather than the default's three (contains, decodeNil, decode).
    private func present(_ key: Key) -> TapeDecoder? {
        guard let index = tape.member(key.stringValue, ofObjectAt: object), tape.nodes[index].kind != .null else {
            return nil
        }
        return TapeDecoder(tape: tape, index: index, parentPath: codingPath, last: key)
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key)?.string() }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key)?.bool() }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key)?.integer(type) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key)?.integer(type) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try TapeDecoder.decode(type, $0) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try value(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try value(key).unkeyedContainer()
    }
    // As the tree decoder's: the member's value, or null when there is none.
    func superDecoder() throws -> any Decoder {
        guard let index = tape.member("super", ofObjectAt: object) else {
            return TreeDecoder(value: .null, codingPath: codingPath)
        }
        return TapeDecoder(tape: tape, index: index, parentPath: codingPath, last: nil)
    }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        guard let index = tape.member(key.stringValue, ofObjectAt: object) else {
            return TreeDecoder(value: .null, codingPath: codingPath + [key])
        }
        return TapeDecoder(tape: tape, index: index, parentPath: codingPath, last: key)
    }
}

private struct TapeUnkeyedDecoder: UnkeyedDecodingContainer {
    let tape: JSONTape
    let items: [Int]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(tape: JSONTape, items: [Int], codingPath: [any CodingKey]) {
        self.tape = tape
        self.items = items
        self.codingPath = codingPath
    }

    private mutating func next<T>(_ type: T.Type) throws -> TapeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                .init(
                    codingPath: codingPath + [IndexKey(currentIndex)],
                    debugDescription: "unkeyed container is at its end"))
        }
        defer { currentIndex += 1 }
        return TapeDecoder(tape: tape, index: items[currentIndex], parentPath: codingPath, last: IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, tape.nodes[items[currentIndex]].kind == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).bool() }
    mutating func decode(_ type: String.Type) throws -> String { try next(type).string() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type).double() }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type).integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type).integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type).integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type).integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type).integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type).integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type).integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type).integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type).integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type).integer(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try TapeDecoder.decode(type, try next(type)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next([String: JSONValue].self).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([JSONValue].self).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder { try next(JSONValue.self) }
}

private struct TapeSingleDecoder: SingleValueDecodingContainer {
    let decoder: TapeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool() }
    func decode(_ type: String.Type) throws -> String { try decoder.string() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.double() }
    func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double()) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try TapeDecoder.decode(type, decoder) }
}
