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
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// The proleptic Gregorian date of a count of days since 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
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
