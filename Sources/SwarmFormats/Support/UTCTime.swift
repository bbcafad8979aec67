import Foundation

/// UTC calendar arithmetic on whole milliseconds since 1970, done by hand (proleptic Gregorian
/// calendar, no time zones, no leap seconds) so names and retention buckets never depend on the
/// host's locale, time zone or Foundation's calendar implementation.
package enum UTCTime {
    /// Milliseconds from 1970 to `Date`'s reference date, 2001-01-01.
    package static let referenceOffset: Int64 = 978_307_200_000

    /// `time` truncated to whole milliseconds since 1970. A `Date` holds a floating-point
    /// interval since 2001, and the same instant reached by different arithmetic (for example
    /// `Date(timeIntervalSince1970: 1.234)` and `date(milliseconds: 1234)`) can differ in the
    /// last bit; times less than a microsecond short of a millisecond are counted as that
    /// millisecond so such noise never moves a name back by one. `milliseconds(date(m)) == m`.
    package static func milliseconds(_ time: Date) -> Int64 {
        let sinceReference = Int64((time.timeIntervalSinceReferenceDate * 1000 + 0.001).rounded(.down))
        return sinceReference + referenceOffset
    }

    /// The instant `milliseconds` after 1970, computed from an exact integer (one rounding).
    package static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSinceReferenceDate: Double(milliseconds - referenceOffset) / 1000)
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
    package static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number (H. Hinnant's `civil_from_days`).
    package static func civil(days z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    package static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    package static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    package static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    package struct Parts: Equatable {
        package var year: Int
        package var month: Int
        package var day: Int
        package var hour: Int
        package var minute: Int
        package var second: Int
        package var millisecond: Int
        /// Days since 1970-01-01.
        package var dayNumber: Int64

        package init(milliseconds: Int64) {
            let dayNumber = UTCTime.floorDivide(milliseconds, 86_400_000)
            let inDay = milliseconds - dayNumber * 86_400_000
            let date = UTCTime.civil(days: dayNumber)
            self.year = date.year
            self.month = date.month
            self.day = date.day
            self.hour = Int(inDay / 3_600_000)
            self.minute = Int(inDay / 60000 % 60)
            self.second = Int(inDay / 1000 % 60)
            self.millisecond = Int(inDay % 1000)
            self.dayNumber = dayNumber
        }

        /// ISO 8601 week-numbering year and week (weeks start on Monday; week 1 is the one
        /// holding the year's first Thursday), as Go's `Time.ISOWeek`.
        package var isoWeek: (year: Int, week: Int) {
            // 1970-01-01 was a Thursday. Monday = 0 ... Sunday = 6.
            let weekday = Int(dayNumber + 3 - UTCTime.floorDivide(dayNumber + 3, 7) * 7)
            let thursday = dayNumber - Int64(weekday) + 3
            let year = UTCTime.civil(days: thursday).year
            let ordinal = thursday - UTCTime.days(year: year, month: 1, day: 1)
            return (year, Int(ordinal / 7) + 1)
        }

        /// `20261123T154501.123Z`
        package var compactString: String {
            Self.pad(year, 4) + Self.pad(month, 2) + Self.pad(day, 2) + "T" + Self.pad(hour, 2) + Self.pad(minute, 2)
                + Self.pad(second, 2) + "." + Self.pad(millisecond, 3) + "Z"
        }

        /// `20261123T154501Z`
        package var compactSeconds: String {
            Self.pad(year, 4) + Self.pad(month, 2) + Self.pad(day, 2) + "T" + Self.pad(hour, 2) + Self.pad(minute, 2)
                + Self.pad(second, 2) + "Z"
        }

        /// `2026-11-23T15:45:01Z`
        package var iso8601Seconds: String {
            Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2) + "T" + Self.pad(hour, 2) + ":"
                + Self.pad(minute, 2) + ":" + Self.pad(second, 2) + "Z"
        }

        private static func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
    }

    /// Parses exactly `yyyyMMdd'T'HHmmss.SSS'Z'` with every field in range; milliseconds since 1970.
    package static func parseCompact(_ bytes: ArraySlice<UInt8>) -> Int64? {
        let b = Array(bytes)
        guard b.count == 20, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "."), b[19] == UInt8(ascii: "Z") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = b[index]
                guard (0x30...0x39).contains(digit) else { return nil }
                value = value * 10 + Int(digit - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            let millisecond = number(16..<19),
            (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let dayNumber = days(year: year, month: month, day: day)
        return dayNumber * 86_400_000 + Int64(hour) * 3_600_000 + Int64(minute) * 60000 + Int64(second) * 1000
            + Int64(millisecond)
    }
}
