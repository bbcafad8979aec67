import Foundation
import SwarmBackup
import Testing

/// restic `forget` semantics, against hand-computed expectations.
@Suite struct RetentionTests {
    static let cluster = "3vm3p9d3ttcn1gjqdfyq0wl5l"
    static let node = "6fk2hm9ow8xdbvkt8mudkhq0v"

    /// A backup at an ISO 8601 UTC time (`2026-11-23T15:45:01Z`).
    static func backup(_ time: String, cluster: String = cluster, node: String = node) -> BackupName {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return BackupName(clusterID: cluster, nodeID: node, time: formatter.date(from: time)!, compression: "zstd", encrypted: false)
    }

    /// One backup a day at `hour`, from `first` (inclusive) for `count` days.
    static func daily(from first: String, count: Int, at time: String = "03:00:00") -> [BackupName] {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let start = formatter.date(from: "\(first)T\(time)Z")!
        return (0..<count).map {
            BackupName(
                clusterID: cluster, nodeID: node, time: start.addingTimeInterval(Double($0) * 86400), compression: "zstd",
                encrypted: false)
        }
    }

    /// The single group's kept times (`yyyy-MM-ddTHH:mm:ssZ`), newest first.
    static func keptTimes(_ plan: RetentionPlan) -> [String] {
        plan.kept.map { ISO8601DateFormatter().string(from: $0.time) }
    }

    static func removedTimes(_ plan: RetentionPlan) -> [String] {
        plan.removed.map { ISO8601DateFormatter().string(from: $0.time) }
    }

    // MARK: policy

    @Test func emptyPolicyIsRefusedAndRemovesNothing() throws {
        #expect(RetentionPolicy().isEmpty)
        #expect(RetentionPolicy(keepLast: 0, keepDaily: 0).isEmpty)
        #expect(!RetentionPolicy(keepYearly: 1).isEmpty)
        #expect(throws: RetentionError.emptyPolicy) { try RetentionPolicy().validate() }
        #expect(throws: RetentionError.emptyPolicy) { try RetentionPolicy(keepLast: 0).validate() }
        #expect(RetentionError.emptyPolicy.description
            == "no retention policy given: pass at least one --keep-* option; nothing was removed")
        let backups = Self.daily(from: "2026-11-01", count: 5)
        let plan = Retention.apply(RetentionPolicy(), to: backups)
        #expect(plan.removed.isEmpty)
        #expect(Set(plan.kept) == Set(backups))
        #expect(plan.groups.first?.keep.allSatisfy { $0.reasons == ["policy is empty"] } == true)
    }

    @Test func negativeCountsAreRejected() throws {
        #expect(throws: RetentionError.negativeCount(option: "--keep-daily", value: -1)) {
            try RetentionPolicy(keepLast: 3, keepDaily: -1).validate()
        }
        #expect(throws: RetentionError.negativeCount(option: "--keep-last", value: -2)) {
            try RetentionPolicy(keepLast: -2).validate()
        }
        #expect(RetentionError.negativeCount(option: "--keep-daily", value: -1).description.contains("--keep-daily -1"))
        try RetentionPolicy(keepLast: 3, keepDaily: 0).validate()
        // Applied anyway, an invalid policy removes nothing.
        let backups = Self.daily(from: "2026-11-01", count: 5)
        let plan = Retention.apply(RetentionPolicy(keepLast: 1, keepDaily: -1), to: backups)
        #expect(plan.removed.isEmpty && plan.kept.count == 5)
    }

    @Test func describesThePolicy() {
        #expect(RetentionPolicy(keepLast: 3, keepDaily: 7, keepWeekly: 4).description == "keep 3 last, 7 daily, 4 weekly backups")
    }

    // MARK: rules

    /// restic's documented example: one backup every Sunday for 12 weeks, `--keep-daily 4`
    /// keeps the last four Sundays.
    @Test func resticDocumentedExampleKeepDaily4() {
        let sundays = Self.daily(from: "2019-09-01", count: 78, at: "11:00:00").enumerated().filter { $0.offset % 7 == 0 }.map(\.element)
        #expect(sundays.count == 12)
        let plan = Retention.apply(RetentionPolicy(keepDaily: 4), to: sundays)
        #expect(Self.keptTimes(plan) == [
            "2019-11-17T11:00:00Z", "2019-11-10T11:00:00Z", "2019-11-03T11:00:00Z", "2019-10-27T11:00:00Z",
        ])
        #expect(plan.removed.count == 8)
        #expect(plan.groups.first?.keep.allSatisfy { $0.reasons == ["daily backup"] } == true)
    }

    @Test func keepDaily7Over30DailyBackupsKeeps7() {
        let backups = Self.daily(from: "2026-11-01", count: 30)
        let plan = Retention.apply(RetentionPolicy(keepDaily: 7), to: backups)
        #expect(Self.keptTimes(plan) == (24...30).reversed().map { "2026-11-\($0)T03:00:00Z" })
        #expect(plan.removed.count == 23)
        #expect(Set(plan.removed) == Set(backups[0..<23]))
        #expect(Set(plan.kept).isDisjoint(with: plan.removed))
    }

    @Test func twoBackupsInOneDayKeepOnlyTheNewest() {
        let backups = [
            Self.backup("2026-11-03T18:00:00Z"), Self.backup("2026-11-03T10:00:00Z"),
            Self.backup("2026-11-02T12:00:00Z"), Self.backup("2026-11-01T12:00:00Z"),
        ]
        let plan = Retention.apply(RetentionPolicy(keepDaily: 2), to: backups)
        #expect(Self.keptTimes(plan) == ["2026-11-03T18:00:00Z", "2026-11-02T12:00:00Z"])
        #expect(Self.removedTimes(plan) == ["2026-11-03T10:00:00Z", "2026-11-01T12:00:00Z"])

        // Only two backups, both on one day, keep-daily 1: the newest.
        let sameDay = Retention.apply(RetentionPolicy(keepDaily: 1), to: Array(backups[0..<2]))
        #expect(Self.keptTimes(sameDay) == ["2026-11-03T18:00:00Z"])
        #expect(Self.removedTimes(sameDay) == ["2026-11-03T10:00:00Z"])
    }

    /// restic (0.16+): while a rule has count left at the group's oldest backup, that backup is
    /// kept too (reason "oldest ..."), so the history length is kept while buckets are scarce.
    @Test func ruleWithCountLeftAlsoKeepsTheOldest() throws {
        let sameDay = [Self.backup("2026-11-03T18:00:00Z"), Self.backup("2026-11-03T10:00:00Z")]
        let plan = Retention.apply(RetentionPolicy(keepDaily: 7), to: sameDay)
        #expect(plan.removed.isEmpty)
        let group = try #require(plan.groups.first)
        #expect(group.keep.map(\.reasons) == [["daily backup"], ["oldest daily backup"]])

        // Every 15 minutes from 10:00 to 12:45.
        let quarterHours = (0..<12).map { Self.backup(String(format: "2026-11-23T%02d:%02d:00Z", 10 + $0 / 4, $0 % 4 * 15)) }
        let two = Retention.apply(RetentionPolicy(keepHourly: 2), to: quarterHours)
        #expect(Self.keptTimes(two) == ["2026-11-23T12:45:00Z", "2026-11-23T11:45:00Z"])
        let five = Retention.apply(RetentionPolicy(keepHourly: 5), to: quarterHours)
        #expect(Self.keptTimes(five) == [
            "2026-11-23T12:45:00Z", "2026-11-23T11:45:00Z", "2026-11-23T10:45:00Z", "2026-11-23T10:00:00Z",
        ])
        #expect(five.groups.first?.keep.last?.reasons == ["oldest hourly backup"])
        #expect(five.removed.count == 8)
    }

    @Test func keepLast3AndKeepDaily2Overlap() throws {
        let backups = [
            "2026-11-05T20:00:00Z", "2026-11-05T12:00:00Z", "2026-11-05T08:00:00Z",
            "2026-11-04T20:00:00Z", "2026-11-04T08:00:00Z", "2026-11-03T20:00:00Z",
        ].map { Self.backup($0) }
        let plan = Retention.apply(RetentionPolicy(keepLast: 3, keepDaily: 2), to: backups.shuffled())
        let group = try #require(plan.groups.first)
        #expect(group.keep.map(\.name) == Array(backups[0..<4]))
        #expect(group.keep.map(\.reasons) == [["last backup", "daily backup"], ["last backup"], ["last backup"], ["daily backup"]])
        #expect(group.remove == [backups[4], backups[5]])
        #expect(plan.reasons(for: backups[0]) == ["last backup", "daily backup"])
        #expect(plan.reasons(for: backups[5]) == nil)
    }

    @Test func aBackupKeptByEveryRuleIsListedOnceWithAllReasons() throws {
        let backups = Self.daily(from: "2026-11-01", count: 3)
        let plan = Retention.apply(
            RetentionPolicy(keepLast: 1, keepHourly: 1, keepDaily: 1, keepWeekly: 1, keepMonthly: 1, keepYearly: 1), to: backups)
        let group = try #require(plan.groups.first)
        #expect(group.keep.count == 1)
        #expect(group.keep[0].name == backups[2])
        #expect(group.keep[0].reasons == [
            "last backup", "hourly backup", "daily backup", "weekly backup", "monthly backup", "yearly backup",
        ])
        #expect(group.remove == [backups[1], backups[0]])
    }

    /// 2026 has 53 ISO weeks: Monday 2026-12-28 to Sunday 2027-01-03 is week 53 of 2026, so
    /// 2026-12-31 and 2027-01-01 share a week; 2027-01-04 starts week 1 of 2027.
    @Test func weeklyUsesISOWeeksAcrossTheYearBoundary() {
        let backups = [
            "2027-01-05T12:00:00Z", "2027-01-04T12:00:00Z",  // 2027-W01
            "2027-01-03T12:00:00Z", "2027-01-01T12:00:00Z", "2026-12-31T12:00:00Z", "2026-12-28T00:00:00Z",  // 2026-W53
            "2026-12-27T23:59:59Z", "2026-12-24T12:00:00Z",  // 2026-W52
        ].map { Self.backup($0) }
        let two = Retention.apply(RetentionPolicy(keepWeekly: 2), to: backups)
        #expect(Self.keptTimes(two) == ["2027-01-05T12:00:00Z", "2027-01-03T12:00:00Z"])
        let three = Retention.apply(RetentionPolicy(keepWeekly: 3), to: backups)
        #expect(Self.keptTimes(three) == ["2027-01-05T12:00:00Z", "2027-01-03T12:00:00Z", "2026-12-27T23:59:59Z"])
        // Without the 2027 days, the newest of week 53 is 2026-12-31 (not a week of its own).
        let lateDecember = Retention.apply(RetentionPolicy(keepWeekly: 1), to: Array(backups[3...]))
        #expect(Self.keptTimes(lateDecember) == ["2027-01-01T12:00:00Z"])
    }

    /// Daily backups 2025-01-01 ... 2026-03-15 (a Sunday), as in restic's "one backup every day"
    /// example: the dailies include one weekly, the monthlies one of each.
    @Test func dailyWeeklyMonthlyYearlyCombined() throws {
        let backups = Self.daily(from: "2025-01-01", count: 365 + 31 + 28 + 15, at: "00:30:00")
        #expect(ISO8601DateFormatter().string(from: backups.last!.time) == "2026-03-15T00:30:00Z")
        let plan = Retention.apply(RetentionPolicy(keepDaily: 7, keepWeekly: 5, keepMonthly: 12, keepYearly: 3), to: backups)
        let days = [
            // 7 daily
            "2026-03-15", "2026-03-14", "2026-03-13", "2026-03-12", "2026-03-11", "2026-03-10", "2026-03-09",
            // weekly (Sundays), after 03-15
            "2026-03-08", "2026-03-01", "2026-02-22", "2026-02-15",
            // monthly, after 03-15
            "2026-02-28", "2026-01-31", "2025-12-31", "2025-11-30", "2025-10-31", "2025-09-30", "2025-08-31",
            "2025-07-31", "2025-06-30", "2025-05-31", "2025-04-30",
            // yearly has one count left at the oldest backup
            "2025-01-01",
        ]
        #expect(Self.keptTimes(plan) == days.map { "\($0)T00:30:00Z" }.sorted(by: >))
        #expect(plan.removed.count == backups.count - days.count)
        let group = try #require(plan.groups.first)
        #expect(group.keep.first?.reasons == ["daily backup", "weekly backup", "monthly backup", "yearly backup"])
        #expect(plan.reasons(for: backups[364]) == ["monthly backup", "yearly backup"])  // 2025-12-31
        #expect(plan.reasons(for: backups[0]) == ["oldest yearly backup"])
        #expect(plan.reasons(for: backups[365 + 31 + 27]) == ["monthly backup"])  // 2026-02-28, a Saturday
    }

    @Test func groupsPerClusterAndNodeAreIndependent() throws {
        let a1 = ["2026-11-03T00:00:00Z", "2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z"].map { Self.backup($0, cluster: "aaa", node: "n1") }
        let a2 = ["2020-01-02T00:00:00Z", "2020-01-01T00:00:00Z"].map { Self.backup($0, cluster: "aaa", node: "n2") }
        let b1 = [Self.backup("2019-05-05T00:00:00Z", cluster: "bbb", node: "n1")]
        let plan = Retention.apply(RetentionPolicy(keepLast: 1), to: (b1 + a2 + a1).shuffled())
        #expect(plan.groups.map { "\($0.clusterID)/\($0.nodeID)" } == ["aaa/n1", "aaa/n2", "bbb/n1"])
        #expect(plan.groups[0].keep.map(\.name) == [a1[0]])
        #expect(plan.groups[0].remove == [a1[1], a1[2]])
        #expect(plan.groups[1].keep.map(\.name) == [a2[0]])
        #expect(plan.groups[1].remove == [a2[1]])
        #expect(plan.groups[2].keep.map(\.name) == b1)
        #expect(plan.groups[2].remove.isEmpty)
        #expect(Set(plan.kept) == [a1[0], a2[0], b1[0]])
    }

    @Test func largerCountsThanBackupsKeepEverything() throws {
        let backups = Self.daily(from: "2026-11-01", count: 4)
        for policy in [RetentionPolicy(keepLast: 10), RetentionPolicy(keepDaily: 10), RetentionPolicy(keepHourly: 100)] {
            let plan = Retention.apply(policy, to: backups)
            #expect(plan.removed.isEmpty, "\(policy)")
            #expect(plan.kept == backups.reversed(), "\(policy)")
        }
        // Larger counts than buckets: 2026-11-01 is a Sunday (ISO week 44), 11-02...11-04 are
        // week 45, all in one month: the newest of each bucket, plus the oldest backup.
        let weekly = Retention.apply(RetentionPolicy(keepWeekly: 52), to: backups)
        #expect(weekly.kept == [backups[3], backups[0]])
        #expect(weekly.reasons(for: backups[0]) == ["weekly backup"])
        let monthly = Retention.apply(RetentionPolicy(keepMonthly: 5, keepYearly: 5), to: backups)
        #expect(monthly.kept == [backups[3], backups[0]])
        #expect(monthly.reasons(for: backups[0]) == ["oldest monthly backup", "oldest yearly backup"])
        #expect(Retention.apply(RetentionPolicy(keepLast: 1), to: []).groups.isEmpty)
    }

    @Test func inputOrderAndDuplicatesDoNotMatter() {
        let backups = Self.daily(from: "2026-10-01", count: 40)
        let policy = RetentionPolicy(keepLast: 2, keepDaily: 5, keepWeekly: 3)
        let plan = Retention.apply(policy, to: backups)
        #expect(Retention.apply(policy, to: backups.shuffled() + backups.prefix(10)) == plan)
        #expect(plan.kept.count + plan.removed.count == 40)
    }
}
