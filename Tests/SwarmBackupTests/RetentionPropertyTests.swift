import Foundation
import SwarmBackup
import SwarmTestSupport
import Testing

/// Random backup histories: `Retention.apply` against a plain model of restic's `forget`
/// policy, and the rules any policy must keep (nothing lost from the listing, the newest kept,
/// a second pass removes nothing).
@Suite struct RetentionPropertyTests {
    // MARK: the model

    /// restic's policy as its documentation states it, rule by rule, with Foundation's
    /// calendars instead of the hand-written UTC arithmetic the implementation uses, so a
    /// slip in either shows up as a disagreement:
    ///
    /// - keep-last n: the n newest backups;
    /// - keep-hourly/daily/weekly/monthly/yearly n: the newest backup of each of the n newest
    ///   periods (UTC; ISO weeks, Monday to Sunday) that have backups;
    /// - a calendar rule with fewer periods than n also keeps the group's oldest backup
    ///   (restic ≥ 0.16, reason "oldest …");
    /// - rules are ORed; the policy applies per (cluster, node); newest means latest time,
    ///   then greatest file name (the documented order of `BackupName`);
    /// - an empty or negative policy removes nothing.
    enum Model {
        static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current

        static let gregorian: Calendar = {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = utc
            return calendar
        }()

        static let iso: Calendar = {
            var calendar = Calendar(identifier: .iso8601)
            calendar.timeZone = utc
            calendar.firstWeekday = 2
            calendar.minimumDaysInFirstWeek = 4
            return calendar
        }()

        /// The period a calendar rule (1 hourly ... 5 yearly) puts `time` in.
        static func period(rule: Int, _ time: Date) -> [Int] {
            let c = gregorian.dateComponents([.year, .month, .day, .hour], from: time)
            let values = [c.year, c.month, c.day, c.hour].map { $0 ?? -1 }
            switch rule {
            case 1: return values
            case 2: return Array(values.prefix(3))
            case 3:
                let week = iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: time)
                return [week.yearForWeekOfYear ?? -1, week.weekOfYear ?? -1]
            case 4: return Array(values.prefix(2))
            default: return Array(values.prefix(1))
            }
        }

        static let reasons = ["last backup", "hourly backup", "daily backup", "weekly backup", "monthly backup", "yearly backup"]

        static func counts(_ p: RetentionPolicy) -> [Int?] {
            [p.keepLast, p.keepHourly, p.keepDaily, p.keepWeekly, p.keepMonthly, p.keepYearly]
        }

        struct Group: Equatable, CustomStringConvertible {
            var clusterID: String
            var nodeID: String
            var keep: [Kept]
            var remove: [String]

            var description: String {
                "\(clusterID)/\(nodeID): keep \(keep.map(\.description)) remove \(remove)"
            }
        }

        struct Kept: Equatable, CustomStringConvertible {
            var name: String
            var reasons: [String]
            var description: String { "\(name) \(reasons)" }
        }

        static func apply(_ policy: RetentionPolicy, to backups: [BackupName]) -> [Group] {
            let counts = counts(policy).map { $0 ?? 0 }
            let invalid = counts.contains { $0 < 0 } ? "policy is invalid" : counts.allSatisfy { $0 == 0 } ? "policy is empty" : nil
            let keys = Set(backups.map { [$0.clusterID, $0.nodeID] }).sorted { $0.lexicographicallyPrecedes($1) }
            return keys.map { key in
                let newestFirst = Set(backups.filter { [$0.clusterID, $0.nodeID] == key })
                    .sorted { ($0.time, $0.fileName) > ($1.time, $1.fileName) }
                var reasons: [String: [String]] = [:]
                if let invalid {
                    for backup in newestFirst { reasons[backup.fileName] = [invalid] }
                }
                for (rule, count) in counts.enumerated() where invalid == nil && count > 0 {
                    for (backup, reason) in keptBy(rule: rule, count: count, newestFirst) {
                        reasons[backup.fileName, default: []].append(reason)
                    }
                }
                return Group(
                    clusterID: key[0], nodeID: key[1],
                    keep: newestFirst.compactMap { b in reasons[b.fileName].map { Kept(name: b.fileName, reasons: $0) } },
                    remove: newestFirst.filter { reasons[$0.fileName] == nil }.map(\.fileName))
            }
        }

        /// What one rule keeps of a group, with the reason.
        static func keptBy(rule: Int, count: Int, _ newestFirst: [BackupName]) -> [(BackupName, String)] {
            if rule == 0 { return newestFirst.prefix(count).map { ($0, reasons[0]) } }
            var newestOfPeriod: [BackupName] = []
            var seen: [[Int]] = []
            for backup in newestFirst {
                let period = period(rule: rule, backup.time)
                if !seen.contains(period) {
                    seen.append(period)
                    newestOfPeriod.append(backup)
                }
            }
            var kept = newestOfPeriod.prefix(count).map { ($0, reasons[rule]) }
            if newestOfPeriod.count < count, let oldest = newestFirst.last, !newestOfPeriod.contains(oldest) {
                kept.append((oldest, "oldest " + reasons[rule]))
            }
            return kept
        }
    }

    // MARK: random histories

    static let clusters = ["3vm3p9d3ttcn1gjqdfyq0wl5l", "aaa"]
    static let nodes = ["6fk2hm9ow8xdbvkt8mudkhq0v", "n2"]

    /// Where histories start: ends of years with 53 ISO weeks (2015, 2020, 2026), the year
    /// 2021 whose 1 January is in 2020's week 53, a leap day, the epoch (1970's week 1 starts
    /// on Monday 1969-12-29), or anywhere from 1950 to 2090.
    static let anchors: [Int64] = [
        "2015-12-24T00:00:00Z", "2020-12-25T00:00:00Z", "2026-12-20T00:00:00Z", "2020-12-31T12:00:00Z",
        "2024-02-27T00:00:00Z", "1969-12-27T00:00:00Z", "1999-12-31T23:00:00Z",
    ].map { text in
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = Model.utc
        return Int64((formatter.date(from: text)?.timeIntervalSince1970 ?? 0) * 1000)
    }

    /// How far apart backups are: minutes, hours, days, weeks, months, years.
    static let spreads: [Int64] = [90, 2 * 3600, 30 * 3600, 5 * 86400, 40 * 86400, 200 * 86400, 3 * 365 * 86400].map { $0 * 1000 }

    static func history(_ random: inout SeededGenerator) -> [BackupName] {
        let start = Int.random(in: 0..<3, using: &random) == 0
            ? Int64.random(in: -631_152_000_000...3_786_825_600_000, using: &random)
            : anchors.randomElement(using: &random) ?? 0
        let spread = spreads.randomElement(using: &random) ?? 86_400_000
        let count = Int.random(in: 0..<8, using: &random) == 0 ? Int.random(in: 0...2, using: &random) : Int.random(in: 3...40, using: &random)
        var times: [Int64] = []
        for _ in 0..<count {
            let roll = Int.random(in: 0..<10, using: &random)
            var time: Int64
            if roll == 0, let earlier = times.randomElement(using: &random) {
                time = earlier  // the same instant, under another name
            } else if roll == 1, let earlier = times.randomElement(using: &random) {
                time = earlier + Int64.random(in: -1_800_000...1_800_000, using: &random)  // the same hour or the next
            } else {
                time = start + Int64.random(in: 0...(spread * Int64(max(count, 1))), using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: time -= time % 3_600_000  // on the hour: the boundary itself
                case 1: time -= time % 1000
                default: break
                }
            }
            times.append(time)
        }
        let groups = Int.random(in: 0..<4, using: &random) == 0 ? 3 : 1
        return times.map { time in
            let group = Int.random(in: 0..<groups, using: &random)
            return BackupName(
                clusterID: clusters[group / 2 % 2], nodeID: nodes[group % 2],
                time: Date(timeIntervalSince1970: Double(time) / 1000),
                compression: BackupName.compressionExtensions.randomElement(using: &random)?.compression ?? "zstd",
                encrypted: Bool.random(using: &random))
        }
    }

    static func policy(_ random: inout SeededGenerator) -> RetentionPolicy {
        func count() -> Int? {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<35: nil
            case 35..<45: 0
            case 45..<90: Int.random(in: 1...6, using: &random)
            case 90..<97: Int.random(in: 7...30, using: &random)
            case 97: -1
            default: 1000
            }
        }
        return RetentionPolicy(keepLast: count(), keepHourly: count(), keepDaily: count(), keepWeekly: count(), keepMonthly: count(), keepYearly: count())
    }

    static func groups(_ plan: RetentionPlan) -> [Model.Group] {
        plan.groups.map {
            Model.Group(
                clusterID: $0.clusterID, nodeID: $0.nodeID,
                keep: $0.keep.map { Model.Kept(name: $0.name.fileName, reasons: $0.reasons) }, remove: $0.remove.map(\.fileName))
        }
    }

    /// The history in a form to paste into a test: name and ISO time, newest first.
    static func describe(_ backups: [BackupName]) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return backups.sorted(by: >).map { "\($0.fileName) \(formatter.string(from: $0.time))" }.joined(separator: "\n")
    }

    static let historiesPerSeed = 1500

    // MARK: properties

    @Test("the implementation keeps and removes what restic's policy says", arguments: [1, 2, 3, 4] as [UInt64])
    func agreesWithTheModel(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var exercised = (oldest: 0, removed: 0, sameTime: 0)
        for iteration in 0..<Self.historiesPerSeed {
            let backups = Self.history(&random)
            let policy = Self.policy(&random)
            let got = Self.groups(Retention.apply(policy, to: backups))
            let want = Model.apply(policy, to: backups)
            if got != want {
                Issue.record("seed \(seed) history \(iteration), \(policy) \(Model.counts(policy)):\n\(Self.describe(backups))\nimplementation: \(got)\nmodel: \(want)")
                return
            }
            exercised.oldest += want.flatMap(\.keep).contains { $0.reasons.contains { $0.hasPrefix("oldest") } } ? 1 : 0
            exercised.removed += want.contains { !$0.remove.isEmpty } ? 1 : 0
            exercised.sameTime += Set(backups.map(\.time)).count < Set(backups).count ? 1 : 0
        }
        // The histories reach the cases the model spells out.
        #expect(exercised.oldest > Self.historiesPerSeed / 20, "\(exercised)")
        #expect(exercised.removed > Self.historiesPerSeed / 2, "\(exercised)")
        #expect(exercised.sameTime > Self.historiesPerSeed / 20, "\(exercised)")
    }

    @Test("nothing is lost from the listing, the newest is kept, and a second pass removes nothing", arguments: [11, 12] as [UInt64])
    func invariants(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for iteration in 0..<Self.historiesPerSeed {
            let backups = Self.history(&random)
            let policy = Self.policy(&random)
            let plan = Retention.apply(policy, to: backups)
            let place = "seed \(seed) history \(iteration), \(policy):\n\(Self.describe(backups))"
            let kept = Set(plan.kept), removed = Set(plan.removed)
            guard kept.union(removed) == Set(backups), kept.isDisjoint(with: removed),
                kept.count == plan.kept.count, removed.count == plan.removed.count
            else {
                Issue.record("kept and removed are not a partition of the backups: \(place)")
                return
            }
            let valid = (try? policy.validate()) != nil
            if !valid {
                #expect(removed.isEmpty, "\(place)")
            }
            for group in plan.groups {
                let newest = Set(backups.filter { $0.clusterID == group.clusterID && $0.nodeID == group.nodeID }).max()
                // Whatever the policy, a group never loses its newest backup.
                #expect(group.keep.first?.name == newest, "\(place)")
                #expect(group.keep.map(\.name) == group.keep.map(\.name).sorted(by: >), "\(place)")
                #expect(group.remove == group.remove.sorted(by: >), "\(place)")
            }
            let again = Retention.apply(policy, to: plan.kept)
            guard again.removed.isEmpty, again.groups.map(\.keep) == plan.groups.map(\.keep) else {
                Issue.record("a second pass over the kept backups changes them: \(place)\nsecond pass removes \(again.removed)")
                return
            }
            #expect(Retention.apply(policy, to: backups.shuffled(using: &random) + backups.prefix(3)) == plan, "\(place)")
        }
    }
}
