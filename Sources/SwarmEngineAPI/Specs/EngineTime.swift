import SwiftProtobuf

/// Timestamps as the Engine API writes them: Go's time.RFC3339Nano in UTC, i.e. the fraction
/// has its trailing zeros cut and disappears when zero. Done by hand because Foundation's
/// formatters stop at milliseconds.
public enum EngineTime {
    public static func string(_ ts: Google_Protobuf_Timestamp) -> String {
        let (days, secondOfDay) = floorDivide(ts.seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        // Written as bytes: every listed object has two or more of these, and the string
        // concatenations this replaced were a tenth of rendering a service.
        var text: [UInt8] = []
        text.reserveCapacity(30)
        append(year, width: 4, to: &text)
        text.append(UInt8(ascii: "-"))
        append(month, width: 2, to: &text)
        text.append(UInt8(ascii: "-"))
        append(day, width: 2, to: &text)
        text.append(UInt8(ascii: "T"))
        append(secondOfDay / 3600, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, width: 2, to: &text)
        if ts.nanos > 0 {
            text.append(UInt8(ascii: "."))
            var nanos = Int64(ts.nanos)
            var width = 9
            while nanos % 10 == 0 {
                nanos /= 10
                width -= 1
            }
            append(nanos, width: width, to: &text)
        }
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// `value` in decimal, zero-padded to `width` digits.
    private static func append(_ value: Int64, width: Int, to text: inout [UInt8]) {
        guard value >= 0 else {
            text.append(contentsOf: pad(value, width).utf8)
            return
        }
        var count = 0
        var rest = value
        repeat {
            count += 1
            rest /= 10
        } while rest > 0
        text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(width, count)))
        var index = text.count - 1
        rest = value
        repeat {
            text[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        } while rest > 0
    }

    /// Parses RFC 3339 (any fraction length up to nanoseconds, `Z` or a numeric offset).
    public static func timestamp(_ s: String) -> Google_Protobuf_Timestamp? {
        let c = Array(s.utf8)
        guard c.count >= 20, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"),
            c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: "t"),
            c[13] == UInt8(ascii: ":"), c[16] == UInt8(ascii: ":"),
            let year = number(c, 0, 4), let month = number(c, 5, 2), let day = number(c, 8, 2),
            let hour = number(c, 11, 2), let minute = number(c, 14, 2), let second = number(c, 17, 2),
            (1...12).contains(month), (1...daysIn(month, year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < c.count, c[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < c.count, let d = digit(c[i]) {
                if digits < 9 { nanos = nanos * 10 + d }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        guard i < c.count else { return nil }
        var offset: Int64 = 0
        if c[i] == UInt8(ascii: "Z") || c[i] == UInt8(ascii: "z") {
            i += 1
        } else if c[i] == UInt8(ascii: "+") || c[i] == UInt8(ascii: "-") {
            guard i + 6 == c.count, c[i + 3] == UInt8(ascii: ":"),
                let oh = number(c, i + 1, 2), let om = number(c, i + 4, 2), oh < 24, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (c[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == c.count else { return nil }
        let seconds = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Google_Protobuf_Timestamp(seconds: seconds, nanos: Int32(nanos))
    }

    // Howard Hinnant's days-from-civil algorithm and its inverse (proleptic Gregorian).
    private static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDivide(y, 400).0
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDivide(z, 146_097).0
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func daysIn(_ month: Int64, _ year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let r = a % b
        return r < 0 ? (a / b - 1, r + b) : (a / b, r)
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func digit(_ c: UInt8) -> Int64? {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") ? Int64(c - UInt8(ascii: "0")) : nil
    }

    private static func number(_ c: [UInt8], _ start: Int, _ length: Int) -> Int64? {
        var v: Int64 = 0
        for i in start..<start + length {
            guard let d = digit(c[i]) else { return nil }
            v = v * 10 + d
        }
        return v
    }
}
