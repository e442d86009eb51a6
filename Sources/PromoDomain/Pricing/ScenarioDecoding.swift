import Foundation

/// Helpers that make scenario decoding strict and its errors name the field.
enum ScenarioDecoding {
    /// Parses an RFC 3339 timestamp with or without fractional seconds.
    static func date(_ text: String) -> Date? { RFC3339.date(text) }

    /// Renders a coding path as `campaigns[2].rules.tiers[0].thresholdFen`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var result = ""
        for key in codingPath {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result.isEmpty ? "(root)" : result
    }

    /// Maps a `DecodingError` to a `PricingInputError` naming the field.
    static func inputError(_ error: DecodingError) -> PricingInputError {
        switch error {
        case .keyNotFound(let key, let context):
            return PricingInputError(field: path(context.codingPath + [key]), message: "is required")
        case .typeMismatch(let type, let context):
            return PricingInputError(
                field: path(context.codingPath), message: "has the wrong type (expected \(describe(type)))")
        case .valueNotFound(let type, let context):
            return PricingInputError(
                field: path(context.codingPath), message: "must not be null (expected \(describe(type)))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return PricingInputError(field: "(root)", message: "is not valid JSON")
            }
            return PricingInputError(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return PricingInputError(field: "(root)", message: "could not be decoded")
        }
    }

    /// Path of the first number with a fractional part, if the document is valid JSON.
    static func firstFractionalNumber(in data: Data) -> String? {
        guard let root = try? JSONSerialization.jsonObject(with: data) else { return nil }
        return fractional(root, path: "")
    }

    /// Keys whose numbers are fractions by design (API.md's `alerts.budgetThresholds`).
    static let fractionKeys: Set<String> = ["budgetThresholds"]

    private static func fractional(_ value: Any, path: String) -> String? {
        if let dictionary = value as? [String: Any] {
            for key in dictionary.keys.sorted() where !fractionKeys.contains(key) {
                if let found = fractional(dictionary[key] as Any, path: path.isEmpty ? key : "\(path).\(key)") {
                    return found
                }
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                if let found = fractional(element, path: "\(path)[\(index)]") { return found }
            }
        } else if let number = value as? NSNumber, !(value is Bool) {
            let double = number.doubleValue
            if double.rounded() != double || !double.isFinite { return path }
        }
        return nil
    }

    static func describe(_ type: Any.Type) -> String {
        if type == Int.self { return "an integer" }
        if type == String.self { return "a string" }
        if type == Bool.self { return "a boolean" }
        return String(describing: type)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an integer (fen, quantity, basis points); a fractional number names the field.
    func integer(_ key: Key) throws -> Int {
        do {
            return try decode(Int.self, forKey: key)
        } catch DecodingError.dataCorrupted {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "must be an integer (money is integer fen)")
        }
    }

    func integerIfPresent(_ key: Key) throws -> Int? {
        do {
            return try decodeIfPresent(Int.self, forKey: key)
        } catch DecodingError.dataCorrupted {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "must be an integer (money is integer fen)")
        }
    }

    /// Decodes an RFC 3339 timestamp string.
    func timestamp(_ key: Key) throws -> Date {
        let text = try decode(String.self, forKey: key)
        guard let date = ScenarioDecoding.date(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "must be an RFC 3339 timestamp (got \"\(text)\")")
        }
        return date
    }

    func list<T: Decodable>(_ key: Key) throws -> [T] {
        try decodeIfPresent([T].self, forKey: key) ?? []
    }
}

extension KeyedDecodingContainer where Key == AnyKey {
    /// Rejects the first key (alphabetically) that is not in `known`, naming its full path.
    ///
    /// A misspelt or unsupported key (`budgets`, `maxDiscount`) must not be read as "not
    /// given": a campaign would silently lose its budget or a coupon its cap.
    func rejectUnknownKeys(_ known: [String]) throws {
        for key in allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [key],
                    debugDescription: "unknown key (known keys: \(known.joined(separator: ", ")))"))
        }
    }

    /// An error at `key` (which need not be present) with a message, for rule violations found while decoding.
    func invalid(_ key: String, _ message: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: codingPath + [AnyKey(key)], debugDescription: message))
    }
}

/// String coding keys, for objects decoded field by field.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) {
        stringValue = string
        intValue = nil
    }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
