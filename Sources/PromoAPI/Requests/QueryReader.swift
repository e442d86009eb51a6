import Foundation
import HTTPTypes
import PromoDomain
import Hummingbird

/// A request's query parameters, checked: a parameter the route does not know is a 400 naming it.
struct QueryReader {
    private let values: [String: String]

    init(_ request: Request, allowed: Set<String>) throws(APIError) {
        var values: [String: String] = [:]
        for (name, value) in request.uri.queryParameters {
            let name = String(name)
            guard allowed.contains(name) else {
                throw APIError(
                    .badRequest, code: "unknown_parameter", message: "\(name) is not a parameter of this request",
                    details: ["field": .string(name)])
            }
            guard value.utf8.count <= 200 else {
                throw APIError.invalidField(name, "must have at most 200 characters")
            }
            values[name] = String(value)
        }
        self.values = values
    }

    /// The value, or nil when absent or empty.
    subscript(name: String) -> String? {
        values[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

extension QueryReader {
    /// The day parameter `name` (`YYYY-MM-DD`, a real day), or today in Asia/Shanghai when absent.
    func day(_ name: String = "date") throws(APIError) -> String {
        let day = self[name] ?? BusinessDay.string(from: Date())
        guard BusinessDay.number(of: day) != nil, let year = Int(day.prefix(4)), (2000...2100).contains(year) else {
            throw APIError.invalidField(name, "must be a date, YYYY-MM-DD")
        }
        return day
    }

    /// The parameter `name` as one of `Choice`'s values (nil when absent); another value is a 400 listing them.
    func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, of _: Choice.Type) throws(APIError) -> Choice?
    where Choice.RawValue == String {
        guard let raw = self[name] else { return nil }
        guard let value = Choice(rawValue: raw) else {
            throw APIError.invalidField(
                name, "must be one of " + Choice.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    /// `true` or `false`; nil when absent.
    func boolean(_ name: String) throws(APIError) -> Bool? {
        switch self[name] {
        case nil: return nil
        case "false": return false
        case "true": return true
        default: throw APIError.invalidField(name, "must be true or false")
        }
    }

    /// `true` or `false` (absent: false).
    func flag(_ name: String) throws(APIError) -> Bool { try boolean(name) ?? false }

    /// The whole-number parameter `name` in `range`, or `value` when absent.
    func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let raw = self[name] else { return value }
        guard let number = Int(raw), range.contains(number) else {
            throw APIError.invalidField(
                name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// The global position parameter `name` (a whole number ≥ 0), or nil when absent.
    func position(_ name: String) throws(APIError) -> Int64? {
        guard let raw = self[name] else { return nil }
        guard let value = Int64(raw), value >= 0 else {
            throw APIError.invalidField(name, "must be a position (a whole number ≥ 0)")
        }
        return value
    }
}
