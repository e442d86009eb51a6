import Foundation

// Codable straight to and from the JSONValue tree.
//
// `JSONValue(encoding:)` and `decode(as:)` used to go through text: Foundation's JSONEncoder wrote bytes that were
// parsed back into a tree, and decoding wrote the canonical text that JSONDecoder then parsed. Every event a
// command appends and every event a state folds took that round trip, which cost more than the decision itself.
// These coders walk the tree instead. They follow Foundation's defaults where a type has no opinion of its own:
// nil optionals are left out, `Date` is seconds since 2001 (deferredToDate), `Data` is base64, and a JSON number
// that is whole decodes as any integer type and as Double.

/// Encodes an `Encodable` value to a `JSONValue`.
struct JSONTreeEncoder {
    static func encode(_ value: some Encodable) throws -> JSONValue {
        if let json = value as? JSONValue { return json }
        let encoder = TreeEncoder(codingPath: [])
        try Self.encode(value, into: encoder)
        return encoder.root.resolved ?? .object([:])
    }

    fileprivate static func encode(_ value: some Encodable, into encoder: TreeEncoder) throws {
        switch value {
        case let json as JSONValue: encoder.root.set(json)
        case let date as Date: encoder.root.set(number(date.timeIntervalSinceReferenceDate))
        case let data as Data: encoder.root.set(.string(data.base64EncodedString()))
        case let url as URL: encoder.root.set(.string(url.absoluteString))
        default: try value.encode(to: encoder)
        }
    }

    /// A Double as the parser would read it back: whole numbers in range as integers.
    static func number(_ double: Double) -> JSONValue {
        double == double.rounded() && abs(double) < 9.0e15 ? .int(Int64(double)) : .double(double)
    }
}

/// Where an encoder (or a nested container) puts what it encodes: a slot filled once, or a growing object/array.
private final class Slot {
    var value: JSONValue?
    /// Children that are still being filled, by key (objects) or index (arrays); folded in on read.
    var members: [String: Slot] = [:]
    var items: [Slot] = []
    enum Shape { case single, object, array }
    var shape: Shape = .single

    func set(_ value: JSONValue) {
        shape = .single
        self.value = value
    }

    var resolved: JSONValue? {
        switch shape {
        case .single: return value
        case .object:
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(members.count)
            for (key, slot) in members { object[key] = slot.resolved ?? .object([:]) }
            return .object(object)
        case .array: return .array(items.map { $0.resolved ?? .object([:]) })
        }
    }
}

private final class TreeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let root: Slot

    init(codingPath: [any CodingKey], slot: Slot = Slot()) {
        self.codingPath = codingPath
        self.root = slot
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if root.shape != .object {
            root.shape = .object
            root.members = [:]
        }
        return KeyedEncodingContainer(TreeKeyedEncoder<Key>(slot: root, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if root.shape != .array {
            root.shape = .array
            root.items = []
        }
        return TreeUnkeyedEncoder(slot: root, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { TreeSingleEncoder(encoder: self) }
}

private struct TreeKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> Slot {
        let child = Slot()
        slot.members[key.stringValue] = child
        return child
    }
    private func set(_ value: JSONValue, _ key: Key) { child(key).value = value }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(JSONTreeEncoder.number(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(JSONTreeEncoder.number(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.int(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        set(try TreeSingleEncoder.unsigned(UInt64(value)), key)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(try TreeSingleEncoder.unsigned(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try JSONTreeEncoder.encode(value, into: TreeEncoder(codingPath: codingPath + [key], slot: child(key)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        TreeEncoder(codingPath: codingPath + [key], slot: child(key)).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(codingPath: codingPath + [key], slot: child(key)).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        let child = Slot()
        slot.members["super"] = child
        return TreeEncoder(codingPath: codingPath, slot: child)
    }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(codingPath: codingPath + [key], slot: child(key))
    }
}

private struct TreeUnkeyedEncoder: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int { slot.items.count }

    private func next() -> Slot {
        let child = Slot()
        slot.items.append(child)
        return child
    }
    private func add(_ value: JSONValue) { next().value = value }

    mutating func encodeNil() throws { add(.null) }
    mutating func encode(_ value: Bool) throws { add(.bool(value)) }
    mutating func encode(_ value: String) throws { add(.string(value)) }
    mutating func encode(_ value: Double) throws { add(JSONTreeEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { add(JSONTreeEncoder.number(Double(value))) }
    mutating func encode(_ value: Int) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { add(.int(value)) }
    mutating func encode(_ value: UInt) throws { add(try TreeSingleEncoder.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { add(try TreeSingleEncoder.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try JSONTreeEncoder.encode(value, into: TreeEncoder(codingPath: codingPath, slot: next()))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        TreeEncoder(codingPath: codingPath, slot: next()).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(codingPath: codingPath, slot: next()).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath, slot: next()) }
}

private struct TreeSingleEncoder: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    static func unsigned(_ value: UInt64) throws -> JSONValue {
        value <= UInt64(Int64.max) ? .int(Int64(value)) : .double(Double(value))
    }
    private func set(_ value: JSONValue) { encoder.root.set(value) }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(JSONTreeEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { set(JSONTreeEncoder.number(Double(value))) }
    mutating func encode(_ value: Int) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { set(.int(value)) }
    mutating func encode(_ value: UInt) throws { set(try Self.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { set(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { set(try Self.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try JSONTreeEncoder.encode(value, into: encoder) }
}

// MARK: - Decoding

/// Decodes a `Decodable` value from a `JSONValue`.
struct JSONTreeDecoder {
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try decode(type, from: value, codingPath: [])
    }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, codingPath: [any CodingKey])
        throws -> T
    {
        if T.self == JSONValue.self { return value as! T }
        if T.self == Date.self {
            return Date(timeIntervalSinceReferenceDate: try TreeDecoder.double(value, codingPath)) as! T
        }
        if T.self == Data.self {
            guard case .string(let text) = value, let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not base64"))
            }
            return data as! T
        }
        return try T(from: TreeDecoder(value: value, codingPath: codingPath))
    }
}

struct TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw Self.mismatch([String: JSONValue].self, value, codingPath)
        }
        return KeyedDecodingContainer(TreeKeyedDecoder<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw Self.mismatch([JSONValue].self, value, codingPath) }
        return TreeUnkeyedDecoder(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { TreeSingleDecoder(decoder: self) }

    /// The coding paths of the helpers below are built only for an error: most values decode fine, and an array
    /// per value decoded was a good part of what decoding an event cost.
    static func mismatch(_ type: Any.Type, _ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey])
        -> DecodingError
    {
        if value == .null {
            return .valueNotFound(type, .init(codingPath: codingPath(), debugDescription: "found null"))
        }
        return .typeMismatch(type, .init(codingPath: codingPath(), debugDescription: "found \(value.canonicalString)"))
    }

    static func double(_ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Double {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw mismatch(Double.self, value, codingPath())
        }
    }

    static func integer<T: FixedWidthInteger>(
        _ type: T.Type, _ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> T {
        switch value {
        case .int(let i):
            if let exact = T(exactly: i) { return exact }
        case .double(let d):
            if let exact = T(exactly: d) { return exact }
        default: break
        }
        if case .int = value {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath(), debugDescription: "\(value.canonicalString) does not fit \(T.self)"))
        }
        throw mismatch(T.self, value, codingPath())
    }

    static func decodeBool(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self, value, path()) }
        return b
    }
    static func decodeString(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let s) = value else { throw mismatch(String.self, value, path()) }
        return s
    }
}

struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct TreeKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no value for \"\(key.stringValue)\""))
        }
        return value
    }
    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try TreeDecoder.decodeBool(try value(key), path(key))
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try TreeDecoder.decodeString(try value(key), path(key))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try TreeDecoder.double(try value(key), path(key))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        Float(try TreeDecoder.double(try value(key), path(key)))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }
    private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        try TreeDecoder.integer(T.self, try value(key), path(key))
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try JSONTreeDecoder.decode(type, from: try value(key), codingPath: path(key))
    }

    // One lookup of the key rather than the default's three (contains, decodeNil, decode).
    private func present(_ key: Key) -> JSONValue? {
        guard let value = members[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return value
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try TreeDecoder.decodeString($0, path(key)) }
    }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try TreeDecoder.decodeBool($0, path(key)) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { try TreeDecoder.integer(Int.self, $0, path(key)) }
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        try present(key).map { try TreeDecoder.integer(Int64.self, $0, path(key)) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try JSONTreeDecoder.decode(type, from: $0, codingPath: path(key)) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try TreeDecoder(value: try value(key), codingPath: path(key)).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(value: try value(key), codingPath: path(key)).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder {
        TreeDecoder(value: members["super"] ?? .null, codingPath: codingPath)
    }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(value: members[key.stringValue] ?? .null, codingPath: path(key))
    }
}

private struct TreeUnkeyedDecoder: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    private func path(_ index: Int) -> [any CodingKey] { codingPath + [IndexKey(index)] }

    /// The next item and its index (its coding path is built only where needed: for a nested value, or an
    /// error).
    private mutating func next<T>(_ type: T.Type) throws -> (JSONValue, Int) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                .init(codingPath: path(currentIndex), debugDescription: "unkeyed container is at its end"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], currentIndex)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let (value, index) = try next(type)
        return try TreeDecoder.decodeBool(value, path(index))
    }
    mutating func decode(_ type: String.Type) throws -> String {
        let (value, index) = try next(type)
        return try TreeDecoder.decodeString(value, path(index))
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        let (value, index) = try next(type)
        return try TreeDecoder.double(value, path(index))
    }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }
    private mutating func integer<T: FixedWidthInteger>() throws -> T {
        let (value, index) = try next(T.self)
        return try TreeDecoder.integer(T.self, value, path(index))
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, index) = try next(type)
        return try JSONTreeDecoder.decode(type, from: value, codingPath: path(index))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, index) = try next([String: JSONValue].self)
        return try TreeDecoder(value: value, codingPath: path(index)).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, index) = try next([JSONValue].self)
        return try TreeDecoder(value: value, codingPath: path(index)).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder {
        let (value, index) = try next(JSONValue.self)
        return TreeDecoder(value: value, codingPath: path(index))
    }
}

private struct TreeSingleDecoder: SingleValueDecodingContainer {
    let decoder: TreeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    private var value: JSONValue { decoder.value }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try TreeDecoder.decodeBool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try TreeDecoder.decodeString(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try TreeDecoder.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try TreeDecoder.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try TreeDecoder.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try TreeDecoder.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try TreeDecoder.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try TreeDecoder.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try TreeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try TreeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try TreeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try TreeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try TreeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try TreeDecoder.integer(type, value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONTreeDecoder.decode(type, from: value, codingPath: codingPath)
    }
}
