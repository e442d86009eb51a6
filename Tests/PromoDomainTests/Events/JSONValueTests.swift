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
}
