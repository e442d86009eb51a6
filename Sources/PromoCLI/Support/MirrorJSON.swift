import PromoDomain

/// Any value as JSON, by reflection: structs and classes as objects of their stored properties, optionals as the
/// value or null, collections as arrays, dictionaries as objects (keys as text), enum cases with values as
/// `{case: value}`. For printing a state that has no JSON form of its own (`promoctl replay`).
enum MirrorJSON {
    static func json(_ value: Any) -> JSONValue {
        switch value {
        case let json as JSONValue: return json
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .int(Int64(number))
        case let number as Int64: return .int(number)
        case let number as Int32: return .int(Int64(number))
        case let number as Double: return .double(number)
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.map { json($0.value) } ?? .null
        case .collection, .set:
            return .array(mirror.children.map { json($0.value) })
        case .dictionary:
            var object: [String: JSONValue] = [:]
            for entry in mirror.children {
                let pair = Array(Mirror(reflecting: entry.value).children)
                guard pair.count == 2 else { continue }
                object[String(describing: pair[0].value)] = json(pair[1].value)
            }
            return .object(object)
        case .enum:
            guard let payload = mirror.children.first else { return .string(String(describing: value)) }
            return .object([payload.label ?? String(describing: value): json(payload.value)])
        case .struct, .class, .tuple:
            var object: [String: JSONValue] = [:]
            for (index, child) in mirror.children.enumerated() {
                object[child.label ?? String(index)] = json(child.value)
            }
            return .object(object)
        default:
            return .string(String(describing: value))
        }
    }
}
