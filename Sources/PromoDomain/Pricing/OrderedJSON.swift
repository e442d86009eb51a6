/// An ordered JSON value for writing quotes: keys stay in the order the API documents, integers stay exact.
/// (Event payloads use ``JSONValue``, which is unordered and canonical.)
public enum OrderedJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    public static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool { lhs.rendered() == rhs.rendered() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rendered()) }

    /// The same value as a ``JSONValue`` (keys unordered), without rendering and parsing text.
    public var jsonValue: JSONValue {
        switch self {
        case .null: .null
        case .bool(let value): .bool(value)
        case .int(let value): .int(Int64(value))
        case .string(let value): .string(value)
        case .array(let items): .array(items.map(\.jsonValue))
        case .object(let fields): .object(Dictionary(fields.map { ($0.0, $0.1.jsonValue) }) { _, last in last })
        }
    }

    /// Renders the value; `indent` > 0 pretty-prints with that many spaces per level.
    public func rendered(indent: Int = 0) -> String {
        var output = ""
        write(into: &output, indent: indent, level: 0)
        return output
    }

    private func write(into output: inout String, indent: Int, level: Int) {
        let newline = indent > 0 ? "\n" : ""
        let pad = { (depth: Int) in String(repeating: " ", count: indent * depth) }
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .string(let value): Self.escape(value, into: &output)
        case .array(let items):
            if items.isEmpty {
                output += "[]"
                return
            }
            output += "[" + newline
            for (index, item) in items.enumerated() {
                output += pad(level + 1)
                item.write(into: &output, indent: indent, level: level + 1)
                output += (index < items.count - 1 ? "," : "") + newline
            }
            output += pad(level) + "]"
        case .object(let fields):
            if fields.isEmpty {
                output += "{}"
                return
            }
            output += "{" + newline
            for (index, (key, value)) in fields.enumerated() {
                output += pad(level + 1)
                Self.escape(key, into: &output)
                output += indent > 0 ? ": " : ":"
                value.write(into: &output, indent: indent, level: level + 1)
                output += (index < fields.count - 1 ? "," : "") + newline
            }
            output += pad(level) + "}"
        }
    }

    /// JSON string escaping, shared with ``JSONValue`` so both write strings the same way.
    private static func escape(_ text: String, into output: inout String) {
        JSONValue.writeEscaped(text, to: &output)
    }
}
