extension JSONValue {
    /// The canonical text: object keys sorted by their UTF-8 bytes, no white space, strings escaped minimally,
    /// integers in plain decimal and other numbers in Swift's shortest round-tripping form.
    public var canonicalString: String {
        var out = ""
        out.reserveCapacity(128)
        write(canonicalTo: &out)
        return out
    }

    /// The canonical text as UTF-8 bytes, what the hash chain digests.
    public var canonicalBytes: [UInt8] { Array(canonicalString.utf8) }

    func write(canonicalTo out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isFinite, d == d.rounded(), abs(d) < 9.0e15 {
                out += String(Int64(d))
            } else if d.isFinite {
                out += "\(d)"
            } else {
                out += "null"
            }
        case .string(let s): Self.writeEscaped(s, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(canonicalTo: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out += "," }
                Self.writeEscaped(key, to: &out)
                out += ":"
                members[key]!.write(canonicalTo: &out)
            }
            out += "}"
        }
    }

    static func writeEscaped(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
