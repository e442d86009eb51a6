import Foundation
import PromoDomain
import HTTPTypes
import Hummingbird
import NIOCore

/// A report as CSV that opens correctly in Excel on Chinese Windows: UTF-8 with a byte-order mark, CRLF line
/// ends, fields quoted when they hold a comma, quote or line break. Money is written in yuan with two decimals,
/// worked out from integer fen without floating point. A text field that starts like a formula (`=`, `+`, `-`,
/// `@`) is prefixed with `'` so a spreadsheet shows it instead of evaluating it.
struct CSVTable: Sendable {
    enum Cell: Sendable {
        case text(String)
        case int(Int64)
        /// Fen, written as yuan: 123450 → `1234.50`, -5 → `-0.05`.
        case yuan(Int64)
        case empty
    }

    var columns: [String]
    var rows: [[Cell]] = []

    init(columns: [String]) { self.columns = columns }

    mutating func append(_ row: [Cell]) { rows.append(row) }

    static let byteOrderMark = "\u{FEFF}"

    var text: String {
        var out = Self.byteOrderMark
        out += columns.map(Self.quoted).joined(separator: ",") + "\r\n"
        for row in rows {
            out += row.map(Self.field).joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func yuan(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    static func field(_ cell: Cell) -> String {
        switch cell {
        case .text(let text):
            let guarded = text.first.map { "=+-@".contains($0) } == true ? "'" + text : text
            return quoted(guarded)
        case .int(let value): return String(value)
        case .yuan(let fen): return yuan(fen)
        case .empty: return ""
        }
    }

    static func quoted(_ text: String) -> String {
        // By scalar: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard text.unicodeScalars.contains(where: { ",\"\r\n".unicodeScalars.contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The table as a download named `filename` (`.csv` added).
    func response(filename: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename).csv\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension CSVTable.Cell {
    /// A JSON value of a report as a cell: text, a number, or empty (null, absent).
    init(_ value: JSONValue?) {
        switch value {
        case .string(let text)?: self = .text(text)
        case .int(let number)?: self = .int(number)
        case .double(let number)?: self = .text(String(number))
        case .bool(let flag)?: self = .text(flag ? "true" : "false")
        default: self = .empty
        }
    }

    /// A JSON amount in fen as yuan (empty when null or absent: an unlimited budget).
    init(fen value: JSONValue?) {
        if let fen = value?.intValue { self = .yuan(fen) } else { self = .empty }
    }
}

extension QueryReader {
    /// Whether `format=csv` was asked (`format=json`, the default, otherwise; anything else is a 400).
    func wantsCSV() throws -> Bool {
        switch self["format"] {
        case nil, "json": return false
        case "csv": return true
        default: throw APIError.invalidField("format", "must be json or csv")
        }
    }
}
