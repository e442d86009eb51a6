import PromoDomain
import Testing

@Suite("RFC 3339 to the microsecond")
struct RFC3339Tests {
    @Test("Zones, fractions and the epoch give exact microseconds; formatting gives them back")
    func exact() {
        // 2026-11-24T00:00:00Z is day 20,781 after 1970-01-01.
        let midnight: Int64 = 20_781 * 86_400 * 1_000_000
        #expect(RFC3339.micros("2026-11-24T00:00:00Z") == midnight)
        #expect(RFC3339.micros("2026-11-24T08:00:00+08:00") == midnight)
        #expect(RFC3339.micros("2026-11-23T23:30:00-00:30") == midnight)
        #expect(RFC3339.micros("2026-11-24T00:00:00.000001Z") == midnight + 1)
        #expect(RFC3339.micros("2026-11-24T00:00:00.5Z") == midnight + 500_000)
        #expect(RFC3339.micros("2026-11-24T00:00:00.123456789Z") == midnight + 123_456)
        #expect(RFC3339.micros("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.micros("1969-12-31T23:59:59.999999Z") == -1)
        #expect(RFC3339.string(micros: midnight + 7) == "2026-11-24T00:00:00.000007Z")
        #expect(RFC3339.string(micros: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(RFC3339.string(micros: 0, separator: " ", zone: "+00") == "1970-01-01 00:00:00.000000+00")
        for micros: Int64 in [0, 1, -1, midnight + 123_456, 4_102_444_799_999_999] {
            #expect(RFC3339.micros(RFC3339.string(micros: micros)) == micros)
        }
    }

    @Test("Anything else is nil: no zone, a bad date, a stray character, an empty fraction")
    func rejects() {
        for text in [
            "2026-11-24T00:00:00", "2026-02-30T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T00:00:00.Z",
            "2026-11-24T00:00:00ZZ", "2026-11-24T00:00:00+8:00", "2026-11-24", "yesterday", "",
            "2026-11-24T00:00:00.1234567890Z",
        ] {
            #expect(RFC3339.micros(text) == nil, "\(text)")
        }
    }
}
