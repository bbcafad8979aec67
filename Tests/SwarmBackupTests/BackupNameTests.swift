import Foundation
@testable import SwarmBackup
import SwarmFormats
import Testing

@Suite struct BackupNameTests {
    static let cluster = "3vm3p9d3ttcn1gjqdfyq0wl5l"
    static let node = "6fk2hm9ow8xdbvkt8mudkhq0v"

    /// An independent reading of an ISO 8601 UTC time with milliseconds.
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.date(from: text)!
    }

    /// The same instant up to floating-point noise (a `Date` is a Double since 2001).
    static func same(_ a: Date, _ b: Date) -> Bool {
        abs(a.timeIntervalSince(b)) < 1e-6
    }

    @Test func formatsTheDocumentedName() {
        let name = BackupName(
            clusterID: Self.cluster, nodeID: Self.node, time: Self.date("2026-11-23T15:45:01.123Z"),
            compression: "zstd", encrypted: false)
        #expect(name.fileName == "swarm-\(Self.cluster)-\(Self.node)-20261123T154501.123Z.tar.zst")
        #expect(name.description == name.fileName)
        #expect(name.clusterID == Self.cluster && name.nodeID == Self.node)
        #expect(name.compression == "zstd" && !name.encrypted)
    }

    /// A FIPS cluster's ID as its certificates carry it (the fips-1mgr fixture's).
    @Test func roundTripsAFIPSClusterID() throws {
        let name = BackupName(
            clusterID: "FIPS.nb1b95em6neifru8azrk89k2u", nodeID: Self.node, time: Self.date("2026-11-23T15:45:01.123Z"),
            compression: "zstd", encrypted: true)
        #expect(name.fileName == "swarm-FIPS.nb1b95em6neifru8azrk89k2u-\(Self.node)-20261123T154501.123Z.tar.zst.age")
        #expect(BackupName(fileName: name.fileName) == name)
    }

    @Test(arguments: [("zstd", "tar.zst"), ("gzip", "tar.gz"), ("none", "tar")], [false, true])
    func roundTripsEveryExtension(compression: (String, String), encrypted: Bool) throws {
        let time = Self.date("2027-01-01T00:00:00.007Z")
        let name = BackupName(clusterID: "a", nodeID: "0z", time: time, compression: compression.0, encrypted: encrypted)
        #expect(name.fileName == "swarm-a-0z-20270101T000000.007Z.\(compression.1)" + (encrypted ? ".age" : ""))
        let parsed = try #require(BackupName(fileName: name.fileName))
        #expect(parsed == name)
        #expect(parsed.time == name.time)
        #expect(Self.same(parsed.time, time))
        #expect(parsed.compression == compression.0)
        #expect(parsed.encrypted == encrypted)
        #expect(parsed.fileName == name.fileName)
    }

    @Test func truncatesToTheMillisecondAndRoundTripsExactly() throws {
        // 0.1239 s past the second: the name says .123, and the name's time is exactly that.
        let precise = Date(timeIntervalSince1970: Self.date("2026-11-23T15:45:01.000Z").timeIntervalSince1970 + 0.1239)
        let name = BackupName(clusterID: Self.cluster, nodeID: Self.node, time: precise, compression: "gzip", encrypted: true)
        #expect(name.fileName.contains("-20261123T154501.123Z.tar.gz.age"))
        #expect(Self.same(name.time, Self.date("2026-11-23T15:45:01.123Z")))
        #expect(!Self.same(name.time, precise))
        let parsed = try #require(BackupName(fileName: name.fileName))
        #expect(parsed == name)
        #expect(parsed.time == name.time)
        #expect(parsed.hashValue == name.hashValue)
        // Formatting the parsed time again gives the same name (no drift by floating point).
        let again = BackupName(clusterID: parsed.clusterID, nodeID: parsed.nodeID, time: parsed.time, compression: "gzip", encrypted: true)
        #expect(again == name)
    }

    @Test func roundTripsManyTimesAgainstFoundationsFormatter() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // 1970 ... ~2250, whole milliseconds.
            let milliseconds = Int64(state >> 24) % 8_835_000_000_000
            let time = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let name = BackupName(clusterID: Self.cluster, nodeID: Self.node, time: time, compression: "none", encrypted: false)
            #expect(name.fileName == "swarm-\(Self.cluster)-\(Self.node)-\(formatter.string(from: time)).tar")
            let parsed = try #require(BackupName(fileName: name.fileName))
            #expect(parsed == name && parsed.time == name.time && Self.same(parsed.time, time), "\(milliseconds)")
            // Just short of the next millisecond still truncates.
            let later = BackupName(
                clusterID: Self.cluster, nodeID: Self.node, time: time.addingTimeInterval(0.000_9), compression: "none",
                encrypted: false)
            #expect(later == name, "\(milliseconds)")
        }
    }

    @Test(arguments: [
        "",
        "swarm-",
        ".swarmsafe.lock",
        "README.txt",
        "backup.tar.zst",
        // Temporary file of a run in progress.
        ".swarm-abc-def-20261123T154501.123Z.tar.zst.partial-1234",
        "swarm-abc-def-20261123T154501.123Z.tar.zst.partial-1234",
        // Foreign characters in the IDs.
        "swarm-ab_c-def-20261123T154501.123Z.tar.zst",
        "swarm-abç-def-20261123T154501.123Z.tar.zst",
        // Missing, empty, extra or over-long fields.
        "swarm--def-20261123T154501.123Z.tar.zst",
        "swarm-abc--20261123T154501.123Z.tar.zst",
        "swarm-abc-20261123T154501.123Z.tar.zst",
        "swarm-abc-def-ghi-20261123T154501.123Z.tar.zst",
        "swarm-\(String(repeating: "a", count: 65))-def-20261123T154501.123Z.tar.zst",
        "Swarm-abc-def-20261123T154501.123Z.tar.zst",
        // Bad times.
        "swarm-abc-def-20261323T154501.123Z.tar.zst",
        "swarm-abc-def-20260230T154501.123Z.tar.zst",
        "swarm-abc-def-20250229T154501.123Z.tar.zst",
        "swarm-abc-def-20261100T154501.123Z.tar.zst",
        "swarm-abc-def-20261123T244501.123Z.tar.zst",
        "swarm-abc-def-20261123T156001.123Z.tar.zst",
        "swarm-abc-def-20261123T154560.123Z.tar.zst",
        "swarm-abc-def-20261123T154501Z.tar.zst",
        "swarm-abc-def-20261123T154501.12Z.tar.zst",
        "swarm-abc-def-20261123T154501.1234Z.tar.zst",
        "swarm-abc-def-20261123T154501.123.tar.zst",
        "swarm-abc-def-20261123t154501.123Z.tar.zst",
        "swarm-abc-def-2026112xT154501.123Z.tar.zst",
        "swarm-abc-def-+0261123T154501.123Z.tar.zst",
        "swarm-abc-def-2026-11-23T15:45:01.123Z.tar.zst",
        // Bad extensions.
        "swarm-abc-def-20261123T154501.123Z",
        "swarm-abc-def-20261123T154501.123Z.",
        "swarm-abc-def-20261123T154501.123Z.tar.xz",
        "swarm-abc-def-20261123T154501.123Z.zst",
        "swarm-abc-def-20261123T154501.123Z.tar.zst.gpg",
        "swarm-abc-def-20261123T154501.123Z.tar.zst.age.age",
        "swarm-abc-def-20261123T154501.123Z.age",
        "swarm-abc-def-20261123T154501.123Z.tar.zst ",
        "swarm-abc-def-20261123T154501.123Z.TAR.ZST",
    ])
    func rejectsAnythingElse(fileName: String) {
        #expect(BackupName(fileName: fileName) == nil)
    }

    @Test func acceptsLeapDaysAndBoundaryIDs() throws {
        let leap = try #require(BackupName(fileName: "swarm-a-b-20280229T235959.999Z.tar"))
        #expect(Self.same(leap.time, Self.date("2028-02-29T23:59:59.999Z")))
        let long = String(repeating: "z9", count: 32)
        #expect(BackupName(fileName: "swarm-\(long)-\(long)-20261123T154501.123Z.tar.gz") != nil)
        #expect(BackupName.isValidID(long) && !BackupName.isValidID(long + "a") && !BackupName.isValidID(""))
    }

    /// A FIPS cluster's ID is `FIPS.` and a swarmkit ID; nothing else with uppercase or a dot is.
    @Test func acceptsFIPSClusterIDsOnly() throws {
        let fips = "FIPS.nb1b95em6neifru8azrk89k2u"
        let name = BackupName(clusterID: fips, nodeID: Self.node, time: Self.date("2026-11-23T15:45:01.123Z"), compression: "zstd", encrypted: true)
        #expect(name.fileName == "swarm-\(fips)-\(Self.node)-20261123T154501.123Z.tar.zst.age")
        let parsed = try #require(BackupName(fileName: name.fileName))
        #expect(parsed == name && parsed.clusterID == fips)
        for id in ["FIPS.", "fips.abc", "FIPS.ABC", "FIPS.FIPS.abc", "abc.def", "FIPSabc", ".abc", "Fips.abc"] {
            #expect(!BackupName.isValidID(id), "\(id)")
            #expect(BackupName(fileName: "swarm-\(id)-\(Self.node)-20261123T154501.123Z.tar.zst") == nil, "\(id)")
        }
        #expect(BackupName.isValidID("FIPS." + String(repeating: "a", count: 64)))
    }

    @Test func sortsByTimeThenFileName() throws {
        let t1 = Self.date("2026-01-01T00:00:00.000Z"), t2 = Self.date("2026-01-01T00:00:00.001Z")
        let a = BackupName(clusterID: "b", nodeID: "n", time: t1, compression: "zstd", encrypted: false)
        let b = BackupName(clusterID: "a", nodeID: "n", time: t2, compression: "zstd", encrypted: false)
        let c = BackupName(clusterID: "c", nodeID: "n", time: t2, compression: "zstd", encrypted: false)
        let d = BackupName(clusterID: "c", nodeID: "n", time: t2, compression: "zstd", encrypted: true)
        // b's file name sorts before a's, but a is older.
        #expect(b.fileName < a.fileName)
        #expect([d, c, b, a].sorted() == [a, b, c, d])
        #expect(a < b && b < c && c < d && !(d < c) && !(a < a))
    }

    @Test func isoWeeksMatchFoundationsISOCalendar() {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // Every day from 1999-12-20 to 2031-01-10: covers 53-week years (2004, 2009, 2015, 2020, 2026).
        let first = UTCTime.days(year: 1999, month: 12, day: 20), last = UTCTime.days(year: 2031, month: 1, day: 10)
        for day in first...last {
            let parts = UTCTime.Parts(milliseconds: day * 86_400_000 + 43_200_000)
            let date = Date(timeIntervalSince1970: Double(day) * 86400 + 43200)
            let components = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear, .year, .month, .day], from: date)
            #expect(parts.isoWeek.year == components.yearForWeekOfYear && parts.isoWeek.week == components.weekOfYear, "\(date)")
            #expect(parts.year == components.year && parts.month == components.month && parts.day == components.day)
        }
        func week(_ year: Int, _ month: Int, _ day: Int) -> String {
            let week = UTCTime.Parts(milliseconds: UTCTime.days(year: year, month: month, day: day) * 86_400_000).isoWeek
            return "\(week.year)-W\(week.week)"
        }
        #expect(week(2026, 12, 27) == "2026-W52")
        #expect(week(2026, 12, 28) == "2026-W53")
        #expect(week(2026, 12, 31) == "2026-W53")
        #expect(week(2027, 1, 1) == "2026-W53")
        #expect(week(2027, 1, 3) == "2026-W53")
        #expect(week(2027, 1, 4) == "2027-W1")
        #expect(week(2024, 12, 30) == "2025-W1")
    }
}
