import HTTPTypes
import PromoDomain

/// Reads one JSON object of a request body strictly: each field typed, errors naming the field by its path
/// (`consents.sms`, `tags[2]`), and any key the command does not know is an error, never silently dropped.
///
/// Use: read every field, then ``finish()``, which fails on the first key nobody read.
final class BodyReader {
    private let members: [String: JSONValue]
    private let path: String
    private var read: Set<String> = []

    /// Reads `value` as an object; `path` prefixes field names (empty at the root).
    init(_ value: JSONValue, path: String = "") throws(APIError) {
        guard case .object(let members) = value else {
            throw APIError.invalidField(path.isEmpty ? "(body)" : path, "must be a JSON object")
        }
        self.members = members
        self.path = path
    }

    /// The root object of a body.
    convenience init(body: JSONValue) throws(APIError) { try self.init(body) }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func value(_ key: String) throws(APIError) -> JSONValue {
        read.insert(key)
        guard let value = members[key], value != .null else {
            throw APIError(
                .badRequest, code: "missing_field", message: "\(name(key)) is required",
                details: ["field": .string(name(key))])
        }
        return value
    }

    func string(_ key: String) throws(APIError) -> String {
        guard case .string(let text) = try value(key) else {
            throw APIError.invalidField(name(key), "must be a string")
        }
        return text
    }

    /// Absent or null → nil.
    func optionalString(_ key: String) throws(APIError) -> String? {
        guard let value = members[key], value != .null else {
            read.insert(key)
            return nil
        }
        return try string(key)
    }

    func integer(_ key: String) throws(APIError) -> Int64 {
        switch try value(key) {
        case .int(let number): return number
        case .double: throw APIError.invalidField(name(key), "must be a whole number (amounts are integer fen)")
        default: throw APIError.invalidField(name(key), "must be an integer")
        }
    }

    func bool(_ key: String) throws(APIError) -> Bool {
        guard case .bool(let flag) = try value(key) else {
            throw APIError.invalidField(name(key), "must be true or false")
        }
        return flag
    }

    /// An array of strings; at most 1,000 entries are looked at (the command bounds it further).
    func strings(_ key: String) throws(APIError) -> [String] {
        guard case .array(let items) = try value(key) else {
            throw APIError.invalidField(name(key), "must be an array of strings")
        }
        guard items.count <= 1_000 else { throw APIError.invalidField(name(key), "has too many entries") }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw APIError.invalidField("\(name(key))[\(index)]", "must be a string")
            }
            result.append(text)
        }
        return result
    }

    func object(_ key: String) throws(APIError) -> BodyReader {
        try BodyReader(try value(key), path: name(key))
    }

    /// Absent or null → nil.
    func optionalBool(_ key: String) throws(APIError) -> Bool? {
        guard let value = members[key], value != .null else {
            read.insert(key)
            return nil
        }
        return try bool(key)
    }

    /// Absent or null → nil.
    func optionalInteger(_ key: String) throws(APIError) -> Int64? {
        guard let value = members[key], value != .null else {
            read.insert(key)
            return nil
        }
        return try integer(key)
    }

    /// Absent or null → nil.
    func optionalStrings(_ key: String) throws(APIError) -> [String]? {
        guard let value = members[key], value != .null else {
            read.insert(key)
            return nil
        }
        return try strings(key)
    }

    /// An array of objects, each read by a reader of its own (`lines[2].sku`); more than `limit` is an error.
    func objects(_ key: String, limit: Int) throws(APIError) -> [BodyReader] {
        guard case .array(let items) = try value(key) else {
            throw APIError.invalidField(name(key), "must be an array of objects")
        }
        guard items.count <= limit else { throw APIError.invalidField(name(key), "has more than \(limit) entries") }
        var readers: [BodyReader] = []
        for (index, item) in items.enumerated() { readers.append(try BodyReader(item, path: "\(name(key))[\(index)]")) }
        return readers
    }

    /// Absent or null → nil.
    func optionalObjects(_ key: String, limit: Int) throws(APIError) -> [BodyReader]? {
        guard let value = members[key], value != .null else {
            read.insert(key)
            return nil
        }
        return try objects(key, limit: limit)
    }

    /// Fails on the first key (in sorted order) that was not read: unknown keys are errors.
    func finish() throws(APIError) {
        if let unknown = members.keys.filter({ !read.contains($0) }).sorted().first {
            throw APIError(
                .badRequest, code: "unknown_field", message: "\(name(unknown)) is not a field of this request",
                details: ["field": .string(name(unknown))])
        }
    }
}

extension APIError {
    /// A 400 naming the field that is wrong.
    static func invalidField(_ field: String, _ message: String) -> APIError {
        APIError(
            .badRequest, code: "invalid_field", message: "\(field) \(message)", details: ["field": .string(field)])
    }

    /// Input the pricing engine's checks refused, as the API answers it: a SKU the catalog does not have is a 422
    /// `unknown_sku`, anything else a 400 naming the field (`field`, when the body names it otherwise).
    init(_ error: PricingInputError, field: String? = nil) {
        let field = field ?? error.field
        if let sku = error.unknownSKU {
            self = APIError(
                .unprocessableContent, code: "unknown_sku", message: "\(field): unknown SKU \(sku)",
                details: ["field": .string(field), "sku": .string(sku)])
        } else {
            self = .invalidField(field, error.message)
        }
    }

    /// A domain bound that input broke, as a 400 naming the field.
    init(_ error: FieldError) {
        self = .invalidField(error.field, error.message)
    }
}
