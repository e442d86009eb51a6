import Foundation

/// Calendar days as the brand counts them: in Asia/Shanghai, UTC+8 all year (China has kept no daylight saving
/// time since 1991). Per-day usage limits and report days use it.
///
/// Computed with integer arithmetic rather than a `DateFormatter`: pricing needs today's date on every quote, and
/// building a formatter per request cost more than the pricing.
public enum BusinessDay {
    /// Asia/Shanghai's offset from UTC, in seconds.
    public static let utcOffset: Int64 = 8 * 3_600

    /// The day `date` falls on in Asia/Shanghai, as `yyyy-MM-dd`.
    public static func string(from date: Date) -> String {
        let local = Int64(date.timeIntervalSince1970.rounded(.down)) + utcOffset
        return string(fromNumber: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// The day `number` days after 1970-01-01 (before it when negative), as `yyyy-MM-dd`.
    public static func string(fromNumber number: Int64) -> String {
        let (year, month, day) = civil(fromDays: number)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// The day `text` names (`yyyy-MM-dd`, a real date) as days since 1970-01-01, or nil: day arithmetic for
    /// report ranges (`number(of: to) - number(of: from)`) without a calendar.
    public static func number(of text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func digits(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10), (1...12).contains(month),
            day >= 1
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        guard day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(month - 1)] else { return nil }
        return days(fromCivil: year, month, day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a count of days since 1970-01-01 (H. Hinnant's `civil_from_days`).
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
