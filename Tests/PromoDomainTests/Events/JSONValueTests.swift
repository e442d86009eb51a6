import PromoDomain
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test("Canonical text sorts keys, drops white space and spells numbers one way")
    func canonical() throws {
        let value = try JSONValue(parsing: #" { "b" : [1, 2.50, -0, 1e2, true, null], "a" : "火锅\n\"x\"" } "#)
        #expect(value.canonicalString == #"{"a":"火锅\n\"x\"","b":[1,2.5,0,100,true,null]}"#)
    }

    @Test("jsonb-style reformatting round-trips to the same canonical text")
    func roundTrip() throws {
        let original: JSONValue = [
            "sku": "HP-001", "priceFen": 3990, "ratio": .double(0.1), "tags": ["spicy"], "nested": ["z": 1, "a": 2],
        ]
        let reformatted =
            #"{"sku": "HP-001", "tags": ["spicy"], "ratio": 0.1, "nested": {"a": 2, "z": 1}, "priceFen": 3990}"#
        #expect(try JSONValue(parsing: reformatted) == original)
        #expect(try JSONValue(parsing: original.canonicalString) == original)
    }

    @Test(
        "Malformed JSON is rejected with an offset",
        arguments: ["", "{", "[1,]", "{\"a\" 1}", "\"\\x\"", "01", "1.", "tru", "\"\u{01}\"", "{} x"])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("Nesting deeper than 256 levels is refused, not a stack overflow")
    func deepNesting() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("Escapes and surrogate pairs decode")
    func escapes() throws {
        #expect(try JSONValue(parsing: #""\u00e9\ud83c\udf36\/""#) == .string("é🌶/"))
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: #""\ud83c""#) }
    }

    @Test("Omitted members are left out, at the top and nested, whatever they hold; the rest is as parsed in full")
    func omitting() throws {
        let text = #"""
            {"orderId": "o-1", "record": {"lines": [{"sku": "x}\"]{", "n": [1, 2, {"deep": [[]]}]}], "s": "\\"},
             "quote": {"totalFen": 5990, "rejected": [{"reason": "not_in_audience \"q\" ]}"}], "applied": [1]},
             "tail": -12.5e1, "flag": true, "none": null, "record2": "kept"}
            """#
        let omitted = try JSONValue(
            parsing: text, omitting: JSONPaths(dotted: ["record", "quote.rejected", "absent.x"]))
        var expected = try JSONValue(parsing: text)
        guard case .object(var members) = expected, case .object(var quote)? = members["quote"] else {
            Issue.record("not an object")
            return
        }
        members["record"] = nil
        quote["rejected"] = nil
        members["quote"] = .object(quote)
        expected = .object(members)
        #expect(omitted == expected)
        #expect(omitted["tail"] == .int(-125))
        #expect(omitted["quote"]?["totalFen"] == .int(5990))
        // Scalars, and a path that names a scalar's member, are skipped or ignored alike.
        #expect(
            try JSONValue(
                parsing: #"{"a": 12, "b": "x", "c": {"d": false}}"#, omitting: JSONPaths(dotted: ["a", "b.z", "c.d"]))
                == ["b": "x", "c": [:]])
        #expect(try JSONValue(parsing: "[1, 2]", omitting: JSONPaths(dotted: ["a"])) == [1, 2])
    }

    @Test(
        "A document cut short inside an omitted member is still refused",
        arguments: [#"{"record": {"a": [1, 2"#, #"{"record": "unterminated"#, #"{"record": {"a": "x\"}"#])
    func omittedMalformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text, omitting: JSONPaths(dotted: ["record"])) }
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
    }

    /// The path of a value that fails, as the field named in a 400: built only for the error, it must still be
    /// the whole path.
    static func failingPath(_ text: String) throws -> String? {
        do {
            _ = try JSONValue(parsing: text).decode(as: Order.self)
            return nil
        } catch let error as DecodingError {
            let context: DecodingError.Context
            switch error {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
                context = c
            @unknown default: return "?"
            }
            return context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
    }

    @Test("Decoding from the tree: present, absent and null optionals; a failing value names its whole path")
    func treeDecoding() throws {
        let order = try JSONValue(
            parsing:
                #"{"id":"o-1","lines":[{"sku":"A","quantity":2},{"sku":"B","quantity":1,"note":null}],"codes":["x"]}"#
        ).decode(as: Order.self)
        #expect(
            order
                == Order(
                    id: "o-1", lines: [Line(sku: "A", quantity: 2), Line(sku: "B", quantity: 1)], codes: ["x"],
                    total: nil))
        #expect(
            try JSONValue(parsing: #"{"id":"o","lines":[],"codes":[],"total":7}"#).decode(as: Order.self).total == 7)
        #expect(
            try Self.failingPath(
                #"{"id":"o","lines":[{"sku":"A","quantity":1},{"sku":"B","quantity":"2"}],"codes":[]}"#)
                == "lines.1.quantity")
        #expect(try Self.failingPath(#"{"id":"o","lines":[],"codes":["a",3]}"#) == "codes.1")
        #expect(
            try Self.failingPath(#"{"id":"o","lines":[{"sku":"A","quantity":1,"note":5}],"codes":[]}"#)
                == "lines.0.note")
        #expect(try Self.failingPath(#"{"id":"o","lines":[],"codes":[],"total":"many"}"#) == "total")
        #expect(try Self.failingPath(#"{"id":"o","lines":[],"codes":[],"total":1.5}"#) == "total")
    }
}
