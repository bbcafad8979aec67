import Foundation

/// The name of an archive in a backup repository:
/// `swarm-<clusterID>-<nodeID>-<UTC time>.<ext>`, for example
/// `swarm-3vm3p9d3ttcn1gjqdfyq0wl5l-6fk2hm9ow8xdbvkt8mudkhq0v-20261123T154501.123Z.tar.zst.age`.
///
/// - The IDs are swarmkit IDs: lowercase base 36 (`[a-z0-9]`), normally 25 characters (1...64
///   are accepted); a FIPS cluster's ID carries a `FIPS.` prefix. They never contain `-`, which
///   is what separates the fields.
/// - The time is UTC with millisecond precision (`yyyyMMdd'T'HHmmss.SSS'Z'`), so two runs in the
///   same second still get distinct names. Times are truncated to the millisecond (the name's
///   `time` is the truncated one), so a name formatted from a `Date` and parsed back is equal to
///   it, `time` included.
/// - The extension says how the tar stream is compressed (`tar.zst`, `tar.gz`, `tar`) and, with
///   a final `.age`, that it is encrypted.
///
/// Anything else (temporary `.partial` files, the lock file, files an operator put there) does
/// not parse, so the repository never lists, prunes or restores it.
public struct BackupName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let clusterID: String
    public let nodeID: String
    /// The backup's time, truncated to whole milliseconds.
    public let time: Date
    /// `"zstd"`, `"gzip"` or `"none"`.
    public let compression: String
    public let encrypted: Bool
    public let fileName: String

    /// The compressions a name can carry, with their extensions.
    public static let compressionExtensions: [(compression: String, extension: String)] = [
        ("zstd", "tar.zst"), ("gzip", "tar.gz"), ("none", "tar"),
    ]

    /// The extension for a compression (`"tar.zst"` for `"zstd"`), or nil for an unknown one.
    public static func fileExtension(forCompression compression: String) -> String? {
        compressionExtensions.first { $0.compression == compression }?.extension
    }

    /// The prefix of a FIPS cluster's ID (`FIPS.nb1b95em6neifru8azrk89k2u`).
    public static let fipsPrefix = "FIPS."

    /// Whether `id` is acceptable as a cluster or node ID in a name: 1...64 of `[a-z0-9]`,
    /// optionally after the `FIPS.` prefix of a FIPS cluster's ID. Anything else (uppercase,
    /// other punctuation) is not a swarmkit ID, so a file carrying it is not one of ours.
    public static func isValidID(_ id: String) -> Bool {
        var bytes = Substring(id).utf8[...]
        if id.hasPrefix(fipsPrefix) { bytes = bytes.dropFirst(fipsPrefix.utf8.count) }
        return (1...64).contains(bytes.count)
            && bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
    }

    /// Formats a name. The IDs must satisfy `isValidID`, the compression must be one of
    /// `compressionExtensions` and the time must fall in the years 0000...9999 (callers pass IDs
    /// read from a node's certificate, a fixed compression and the current time).
    public init(clusterID: String, nodeID: String, time: Date, compression: String, encrypted: Bool) {
        precondition(Self.isValidID(clusterID), "invalid cluster ID for a backup name: \(clusterID)")
        precondition(Self.isValidID(nodeID), "invalid node ID for a backup name: \(nodeID)")
        guard let ext = Self.fileExtension(forCompression: compression) else {
            preconditionFailure("unknown compression for a backup name: \(compression)")
        }
        let milliseconds = UTCTime.milliseconds(time)
        let parts = UTCTime.Parts(milliseconds: milliseconds)
        precondition((0...9999).contains(parts.year), "backup time out of range: \(time)")
        self.clusterID = clusterID
        self.nodeID = nodeID
        self.time = UTCTime.date(milliseconds: milliseconds)
        self.compression = compression
        self.encrypted = encrypted
        self.fileName = "swarm-\(clusterID)-\(nodeID)-\(parts.compactString).\(ext)" + (encrypted ? ".age" : "")
    }

    /// Parses a file name; nil for anything that is not exactly a backup name.
    public init?(fileName: String) {
        guard fileName.hasPrefix("swarm-") else { return nil }
        let fields = fileName.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3 else { return nil }
        let clusterID = String(fields[0]), nodeID = String(fields[1])
        guard Self.isValidID(clusterID), Self.isValidID(nodeID) else { return nil }
        let rest = Array(fields[2].utf8)
        // 20261123T154501.123Z, then the extension.
        let timeLength = 20
        guard rest.count > timeLength, let milliseconds = UTCTime.parseCompact(rest[0..<timeLength]) else { return nil }
        var suffix = String(decoding: rest[timeLength...], as: UTF8.self)
        var encrypted = false
        if suffix.hasSuffix(".age") {
            encrypted = true
            suffix.removeLast(4)
        }
        guard let compression = Self.compressionExtensions.first(where: { "." + $0.extension == suffix })?.compression else {
            return nil
        }
        self.clusterID = clusterID
        self.nodeID = nodeID
        self.time = UTCTime.date(milliseconds: milliseconds)
        self.compression = compression
        self.encrypted = encrypted
        self.fileName = fileName
    }

    public var description: String { fileName }

    /// Oldest first; equal times are ordered by file name so the order is total.
    public static func < (a: BackupName, b: BackupName) -> Bool {
        if a.time != b.time { return a.time < b.time }
        return a.fileName < b.fileName
    }
}

/// UTC calendar arithmetic on whole milliseconds since 1970, done by hand (proleptic Gregorian
/// calendar, no time zones, no leap seconds) so names and retention buckets never depend on the
/// host's locale, time zone or Foundation's calendar implementation.
enum UTCTime {
    /// Milliseconds from 1970 to `Date`'s reference date, 2001-01-01.
    static let referenceOffset: Int64 = 978_307_200_000

    /// `time` truncated to whole milliseconds since 1970. A `Date` holds a floating-point
    /// interval since 2001, and the same instant reached by different arithmetic (for example
    /// `Date(timeIntervalSince1970: 1.234)` and `date(milliseconds: 1234)`) can differ in the
    /// last bit; times less than a microsecond short of a millisecond are counted as that
    /// millisecond so such noise never moves a name back by one. `milliseconds(date(m)) == m`.
    static func milliseconds(_ time: Date) -> Int64 {
        let sinceReference = Int64((time.timeIntervalSinceReferenceDate * 1000 + 0.001).rounded(.down))
        return sinceReference + referenceOffset
    }

    /// The instant `milliseconds` after 1970, computed from an exact integer (one rounding).
    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSinceReferenceDate: Double(milliseconds - referenceOffset) / 1000)
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number (H. Hinnant's `civil_from_days`).
    static func civil(days z0: Int64) -> (year: Int, month: Int, day: Int) {
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

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    struct Parts: Equatable {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int
        var millisecond: Int
        /// Days since 1970-01-01.
        var dayNumber: Int64

        init(milliseconds: Int64) {
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
        var isoWeek: (year: Int, week: Int) {
            // 1970-01-01 was a Thursday. Monday = 0 ... Sunday = 6.
            let weekday = Int(dayNumber + 3 - UTCTime.floorDivide(dayNumber + 3, 7) * 7)
            let thursday = dayNumber - Int64(weekday) + 3
            let year = UTCTime.civil(days: thursday).year
            let ordinal = thursday - UTCTime.days(year: year, month: 1, day: 1)
            return (year, Int(ordinal / 7) + 1)
        }

        /// `20261123T154501.123Z`
        var compactString: String {
            func pad(_ value: Int, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(hour, 2) + pad(minute, 2) + pad(second, 2)
                + "." + pad(millisecond, 3) + "Z"
        }

        /// `2026-11-23T15:45:01Z`
        var iso8601Seconds: String {
            func pad(_ value: Int, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(hour, 2) + ":" + pad(minute, 2) + ":"
                + pad(second, 2) + "Z"
        }
    }

    /// Parses exactly `yyyyMMdd'T'HHmmss.SSS'Z'` with every field in range; milliseconds since 1970.
    static func parseCompact(_ bytes: ArraySlice<UInt8>) -> Int64? {
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
