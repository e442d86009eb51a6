import Foundation
import PromoDomain
import Testing

@Suite("Business days in Asia/Shanghai")
struct BusinessDayTests {
    @Test("Midnight in Shanghai is 16:00 UTC the day before")
    func boundaries() {
        // 2025-11-10T15:59:59Z is 23:59:59 in Shanghai; a second later it is the 11th.
        #expect(BusinessDay.string(from: Date(timeIntervalSince1970: 1_762_790_399)) == "2025-11-10")
        #expect(BusinessDay.string(from: Date(timeIntervalSince1970: 1_762_790_400)) == "2025-11-11")
        #expect(BusinessDay.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01")
        #expect(BusinessDay.string(from: Date(timeIntervalSince1970: -28_801)) == "1969-12-31")
        #expect(BusinessDay.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29")  // 08:00 CST
    }

    @Test("Agrees with Foundation's calendar in Asia/Shanghai over 60 years, hour by hour around each midnight")
    func agreesWithFoundation() {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "Asia/Shanghai")
        format.dateFormat = "yyyy-MM-dd"
        // From 1992 (after China's last daylight saving time) to 2052, every 13th day, at 15:59:59 and 16:00 UTC.
        var second: Int64 = 694_224_000
        while second < 2_600_000_000 {
            for instant in [second + 57_599, second + 57_600, second + 3_600] {
                let date = Date(timeIntervalSince1970: TimeInterval(instant))
                #expect(BusinessDay.string(from: date) == format.string(from: date), "at \(instant)")
            }
            second += 13 * 86_400
        }
    }

    @Test("A day's number and its text are one another's inverse; only real days have a number")
    func dayNumbers() {
        #expect(BusinessDay.number(of: "1970-01-01") == 0)
        #expect(BusinessDay.number(of: "2026-11-24") == 20_781)
        #expect(BusinessDay.number(of: "1969-12-31") == -1)
        var number: Int64 = -400
        while number < 60_000 {
            #expect(BusinessDay.number(of: BusinessDay.string(fromNumber: number)) == number, "\(number)")
            number += 7
        }
        #expect(BusinessDay.number(of: "2024-02-29") != nil)
        for bad in ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-+1-01", "2026-1-01", "26-11-24x"] {
            #expect(BusinessDay.number(of: bad) == nil, "\(bad)")
        }
    }
}
