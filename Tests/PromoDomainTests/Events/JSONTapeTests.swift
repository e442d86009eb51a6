import Foundation
import PromoDomain
import Testing

@Suite("JSON tapes")
struct JSONTapeTests {
    static func tape(_ text: String, omitting: [String] = []) throws -> JSONTape {
        try JSONTape(parsing: Array(text.utf8), omitting: JSONPaths(dotted: omitting))
    }

    func check<E: DomainEvent>(_ type: E.Type) throws {
        let tree = try JSONValue(encoding: E.sample)
        // As PostgreSQL writes jsonb out: keys by length, a space after each colon and comma.
        for text in [tree.canonicalString, Self.spaced(tree)] {
            let tape = try Self.tape(text)
            #expect(try tape.decode(as: E.self) == E.sample, "\(E.eventType)")
            #expect(try tape.value == tree, "\(E.eventType)")
        }
    }

    static func spaced(_ value: JSONValue) -> String {
        switch value {
        case .object(let members):
            let keys = members.keys.sorted { ($0.utf8.count, $0) < ($1.utf8.count, $1) }
            return "{"
                + keys.map { "\(JSONValue.string($0).canonicalString): \(spaced(members[$0]!))" }
                .joined(separator: ", ") + "}"
        case .array(let items): return "[" + items.map(spaced).joined(separator: ", ") + "]"
        default: return value.canonicalString
        }
    }

    @Test("Every domain event's sample decodes from a tape to itself, and the tape's tree is the parser's")
    func everyEventType() throws {
        for type in DomainEvents.all { try check(type) }
        #expect(DomainEvents.all.count > 30)
    }

    @Test("A tape's tree is the tree the parser builds, with the same members omitted, top and nested")
    func sameTree() throws {
        let documents = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"x","e":[{"f":1.5},{"f":-2e3}]},"g":""}"#,
            #"{"quote\"d":"a\"b\\c\/d\n\t","caf\u00e9":"\ud83c\udf36 辣","big":12345678901234567890,"neg":-0.25}"#,
            #"  { "twice" : 1 , "twice" : 2 , "empty" : { } , "none" : [ ] }  "#,
            #"[1,{"record":{"x":1},"quote":{"lines":[1],"rejected":[2]}},"s"]"#,
            #"{"record":{"x":[1,2,{"y":"}"}]},"quote":{"lines":[{"sku":"A"}],"rejected":["]"],"totalFen":5},"id":"o"}"#,
            "\"just a string\"", "42", "null",
        ]
        for text in documents {
            for omitting in [[], ["record", "quote.rejected"], ["quote"], ["twice", "none"]] {
                let tree = try JSONValue(parsing: text, omitting: JSONPaths(dotted: omitting))
                #expect(try Self.tape(text, omitting: omitting).value == tree, "\(text) omitting \(omitting)")
            }
        }
        // A key given twice is read as its last value, as the tree's dictionary keeps it.
        #expect(try Self.tape(#"{"n":1,"n":2}"#).decode(as: [String: Int].self) == ["n": 2])
        struct N: Decodable { var n: Int }
        #expect(try Self.tape(#"{"n":1,"m":0,"n":2}"#).decode(as: N.self).n == 2)
        // Text from jsonb has no key twice: told so, a tape takes the first it finds.
        let unique = try JSONTape(parsing: Array(#"{"n":1,"m":0,"n":2}"#.utf8), uniqueKeys: true)
        #expect(try unique.decode(as: N.self).n == 1)
        // An escaped key is found by its unescaped name.
        struct Q: Decodable, Equatable {
            var say: String
            enum CodingKeys: String, CodingKey { case say = "s\"ay" }
        }
        #expect(try Self.tape(#"{"s\"ay":"hi \u00e9"}"#).decode(as: Q.self) == Q(say: "hi é"))
    }

    struct Line: Decodable, Equatable {
        var sku: String
        var quantity: Int
        var note: String?
    }

    struct Order: Decodable, Equatable {
        var id: String
        var lines: [Line]
        var codes: [String]
        var total: Int64?
        var at: Date?
        var extra: JSONValue?
    }

    /// What decoding `text` as an `Order` threw: its case and its coding path.
    static func failure(_ decode: () throws -> Order) -> String {
        do {
            _ = try decode()
            return "no error"
        } catch let error as DecodingError {
            let (kind, context): (String, DecodingError.Context)
            switch error {
            case .typeMismatch(let type, let c): (kind, context) = ("typeMismatch \(type)", c)
            case .valueNotFound(let type, let c): (kind, context) = ("valueNotFound \(type)", c)
            case .keyNotFound(let key, let c): (kind, context) = ("keyNotFound \(key.stringValue)", c)
            case .dataCorrupted(let c): (kind, context) = ("dataCorrupted", c)
            @unknown default: return "?"
            }
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return "\(kind) at \(path.joined(separator: ".")): \(context.debugDescription)"
        } catch {
            return "\(error)"
        }
    }

    @Test("Decoding from a tape gives the tree's values, and fails where the tree fails: the same error and path")
    func sameDecoding() throws {
        let good = [
            #"{"id":"o-1","lines":[{"sku":"A","quantity":2},{"sku":"B","quantity":1,"note":null}],"codes":["x"]}"#,
            #"{"id":"o","lines":[],"codes":[],"total":7,"at":1.5,"extra":{"k":[1,"v"]}}"#,
            #"{"id":"o","lines":[{"sku":"A","quantity":3.0,"note":"n"}],"codes":[],"total":null,"extra":null}"#,
        ]
        for text in good {
            let tree = try JSONValue(parsing: text).decode(as: Order.self)
            #expect(try Self.tape(text).decode(as: Order.self) == tree)
        }
        let bad = [
            #"{"id":"o","lines":[{"sku":"A","quantity":1},{"sku":"B","quantity":"2"}],"codes":[]}"#,
            #"{"id":"o","lines":[],"codes":["a",3]}"#,
            #"{"id":"o","lines":[{"sku":"A","quantity":1,"note":5}],"codes":[]}"#,
            #"{"id":"o","lines":[],"codes":[],"total":"many"}"#,
            #"{"id":"o","lines":[],"codes":[],"total":1.5}"#,
            #"{"id":"o","lines":[],"codes":[],"total":99999999999999999999}"#,
            #"{"lines":[],"codes":[]}"#,
            #"{"id":null,"lines":[],"codes":[]}"#,
            #"{"id":"o","lines":{},"codes":[]}"#,
            #"{"id":"o","lines":[7],"codes":[]}"#,
            #"{"id":"o","lines":[{"quantity":1}],"codes":[]}"#,
            #"{"id":"o","lines":[],"codes":[],"at":"noon"}"#,
            #"["not","an","object"]"#,
        ]
        for text in bad {
            let tree = Self.failure { try JSONValue(parsing: text).decode(as: Order.self) }
            #expect(tree != "no error", "\(text)")
            #expect(Self.failure { try Self.tape(text).decode(as: Order.self) } == tree, "\(text)")
        }
    }

    @Test("A document that is not JSON is refused when read; a bad number or string, when it is decoded")
    func malformed() throws {
        for text in [
            #"{"a":1"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{a:1}"#, #"[1,2"#, #"[1 2]"#, #"{"a":"open}"#, #"{"a":1} x"#,
            #"{"a":tru}"#, #"{"a":nul}"#, "", "   ", #"{"a":@}"#,
            String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
        ] {
            #expect(throws: JSONParseError.self, "\(text)") { try Self.tape(text) }
            #expect(throws: JSONParseError.self, "\(text)") { try JSONValue(parsing: text) }
        }
        struct A: Decodable { var a: Int }
        struct S: Decodable { var a: String }
        // Found as values by the tape; refused as soon as anything reads them.
        for text in [#"{"a":1-2}"#, #"{"a":01}"#, #"{"a":-}"#, #"{"a":1e}"#] {
            let tape = try Self.tape(text)
            #expect(throws: DecodingError.self, "\(text)") { try tape.decode(as: A.self) }
            #expect(throws: JSONParseError.self, "\(text)") { try tape.value }
        }
        let badEscape = try Self.tape(#"{"a":"\q"}"#)
        #expect(throws: DecodingError.self) { try badEscape.decode(as: S.self) }
        #expect(throws: JSONParseError.self) { try badEscape.value }
    }
}
