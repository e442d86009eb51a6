import Foundation

/// RFC 3339 timestamps: what the API and events carry.
public enum RFC3339 {
    /// Parses a timestamp with or without fractional seconds; nil for anything else.
    public static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// `micros` microseconds after 1970-01-01 UTC as `yyyy-MM-ddTHH:mm:ss.ffffffZ`, exactly (a `Date` is a
    /// double and would round the microseconds). `separator` and `zone` give other spellings of the same
    /// instant: PostgreSQL's text form is `yyyy-MM-dd HH:mm:ss.ffffff+00`.
    public static func string(micros: Int64, separator: String = "T", zone: String = "Z") -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        let (year, month, day) = BusinessDay.civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))\(separator)\(pad(second / 3_600, 2)):"
            + "\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2)).\(pad(fraction, 6))\(zone)"
    }

    /// The instant `text` names (`yyyy-MM-ddTHH:mm:ss`, up to nine fractional digits, then `Z` or `±HH:mm`) in
    /// microseconds since 1970-01-01 UTC, exactly (digits past the sixth are dropped); nil for anything else.
    public static func micros(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= b.count else { return nil }
            var value: Int64 = 0
            for i in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { return nil }
                value = value * 10 + Int64(b[i] - UInt8(ascii: "0"))
            }
            return value
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]), b[13] == UInt8(ascii: ":"),
            b[16] == UInt8(ascii: ":"), let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let days = BusinessDay.number(of: String(decoding: b[0..<10], as: UTF8.self)),
            (1...12).contains(month), (1...31).contains(day), year >= 1, hour < 24, minute < 60, second < 60
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) {
                if digits < 6 { fraction = fraction * 10 + Int64(b[i] - UInt8(ascii: "0")) }
                digits += 1
                i += 1
            }
            guard (1...9).contains(digits) else { return nil }
            for _ in min(digits, 6)..<6 { fraction *= 10 }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            guard i + 1 == b.count else { return nil }
        } else {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count,
                b[i + 3] == UInt8(ascii: ":"), let hours = number(i + 1..<i + 3), let minutes = number(i + 4..<i + 6),
                hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3_600 + minutes * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        return ((days * 86_400 + hour * 3_600 + minute * 60 + second) - offset) * 1_000_000 + fraction
    }
}
