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
}
