import Foundation
import SwarmFormats

/// Which backups to keep, with the meaning of restic's `forget --keep-*` options:
///
/// - `keepLast` n: the n most recent backups.
/// - `keepHourly` / `keepDaily` / `keepWeekly` / `keepMonthly` / `keepYearly` n: for the last n
///   hours / days / ISO weeks / months / years that have one or more backups, the most recent
///   backup of each. Calendar units are natural UTC boundaries (weeks run Monday to Sunday),
///   not relative to when the policy is applied, and only units that have backups count.
///
/// A backup matching any rule is kept (the rules are ORed). `nil` and 0 both mean "not given";
/// a policy with no positive count is empty, and an empty policy must be refused (as restic
/// refuses it) rather than read as "remove everything". Negative counts are invalid.
public struct RetentionPolicy: Sendable, Equatable, CustomStringConvertible {
    public var keepLast: Int?
    public var keepHourly: Int?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?
    public var keepYearly: Int?

    public init(
        keepLast: Int? = nil, keepHourly: Int? = nil, keepDaily: Int? = nil,
        keepWeekly: Int? = nil, keepMonthly: Int? = nil, keepYearly: Int? = nil
    ) {
        self.keepLast = keepLast
        self.keepHourly = keepHourly
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
        self.keepYearly = keepYearly
    }

    /// The counts with their option names, in restic's order of evaluation.
    var rules: [(option: String, count: Int?)] {
        [
            ("--keep-last", keepLast), ("--keep-hourly", keepHourly), ("--keep-daily", keepDaily),
            ("--keep-weekly", keepWeekly), ("--keep-monthly", keepMonthly), ("--keep-yearly", keepYearly),
        ]
    }

    /// True when no rule has a positive count: nothing was asked to be kept.
    public var isEmpty: Bool { rules.allSatisfy { ($0.count ?? 0) <= 0 } }

    /// Throws `negativeCount` for a negative count, then `emptyPolicy` for an empty policy.
    /// Call it before applying a policy to a repository.
    public func validate() throws(RetentionError) {
        for rule in rules {
            if let count = rule.count, count < 0 { throw .negativeCount(option: rule.option, value: count) }
        }
        if isEmpty { throw .emptyPolicy }
    }

    /// `keep 3 last, 7 daily, 4 weekly backups`
    public var description: String {
        let words = ["last", "hourly", "daily", "weekly", "monthly", "yearly"]
        let parts = zip(rules, words).compactMap { rule, word -> String? in
            guard let count = rule.count, count != 0 else { return nil }
            return "\(count) \(word)"
        }
        return parts.isEmpty ? "empty policy" : "keep " + parts.joined(separator: ", ") + " backups"
    }
}

public enum RetentionError: Error, CustomStringConvertible, Sendable, Equatable {
    case emptyPolicy
    case negativeCount(option: String, value: Int)

    public var description: String {
        switch self {
        case .emptyPolicy:
            "no retention policy given: pass at least one --keep-* option; nothing was removed"
        case .negativeCount(let option, let value):
            "\(option) \(value): the count must be zero or more; nothing was removed"
        }
    }
}

/// A backup the policy keeps, with every rule that selected it (a backup kept by several rules
/// is listed once, with all of them; e.g. `["last backup", "daily backup"]`).
public struct KeptBackup: Sendable, Hashable {
    public let name: BackupName
    public let reasons: [String]

    public init(name: BackupName, reasons: [String]) {
        self.name = name
        self.reasons = reasons
    }
}

/// What a policy keeps and removes, per cluster and node.
public struct RetentionPlan: Sendable, Equatable {
    /// The backups of one node of one cluster; the policy applies to each group separately.
    public struct Group: Sendable, Equatable {
        public let clusterID: String
        public let nodeID: String
        /// Newest first.
        public let keep: [KeptBackup]
        /// Newest first.
        public let remove: [BackupName]
    }

    /// Ordered by cluster ID, then node ID.
    public let groups: [Group]

    public var kept: [BackupName] { groups.flatMap { $0.keep.map(\.name) } }
    public var removed: [BackupName] { groups.flatMap(\.remove) }

    /// The reasons a backup is kept; nil when the plan removes it (or never saw it).
    public func reasons(for name: BackupName) -> [String]? {
        for group in groups {
            if let kept = group.keep.first(where: { $0.name == name }) { return kept.reasons }
        }
        return nil
    }
}

public enum Retention {
    /// Applies `policy` to `backups` as restic's `forget` applies a policy to snapshots.
    ///
    /// Backups are grouped by (cluster ID, node ID); within a group they are taken newest first
    /// (equal times by file name). Each rule has a counter and remembers the bucket (hour, day,
    /// ISO week, month, year, in UTC; for keep-last every backup is its own bucket) of the last
    /// backup it kept: a backup whose bucket differs from that one is kept by the rule while the
    /// counter is above zero, and the counter drops by one. So each rule keeps the newest backup
    /// of each of its n most recent buckets that have backups.
    ///
    /// As restic does since 0.16, a rule that still has count left when it reaches the group's
    /// oldest backup keeps that one too (reason `oldest <rule> backup` when it shares a bucket
    /// with a backup already kept): while fewer buckets exist than asked for, the whole history
    /// length is kept.
    ///
    /// An invalid policy (empty, or with a negative count: see `RetentionPolicy.validate`)
    /// removes nothing: every backup is kept with the reason `policy is empty` or
    /// `policy is invalid`. Callers must validate first and refuse such a policy.
    public static func apply(_ policy: RetentionPolicy, to backups: [BackupName]) -> RetentionPlan {
        var invalidReason: String?
        do throws(RetentionError) {
            try policy.validate()
        } catch .emptyPolicy {
            invalidReason = "policy is empty"
        } catch {
            invalidReason = "policy is invalid"
        }

        var byGroup: [GroupKey: Set<BackupName>] = [:]
        for backup in backups {
            byGroup[GroupKey(clusterID: backup.clusterID, nodeID: backup.nodeID), default: []].insert(backup)
        }
        let groups = byGroup.keys.sorted().map { key -> RetentionPlan.Group in
            let newestFirst = byGroup[key, default: []].sorted(by: >)
            if let invalidReason {
                return RetentionPlan.Group(
                    clusterID: key.clusterID, nodeID: key.nodeID,
                    keep: newestFirst.map { KeptBackup(name: $0, reasons: [invalidReason]) }, remove: [])
            }
            return applyToGroup(policy, key: key, newestFirst: newestFirst)
        }
        return RetentionPlan(groups: groups)
    }

    private struct GroupKey: Hashable, Comparable {
        let clusterID: String
        let nodeID: String

        static func < (a: GroupKey, b: GroupKey) -> Bool {
            (a.clusterID, a.nodeID) < (b.clusterID, b.nodeID)
        }
    }

    private struct Rule {
        var remaining: Int
        let reason: String
        let bucket: (UTCTime.Parts, Int) -> Int64
        var lastBucket: Int64? = nil
    }

    private static func applyToGroup(_ policy: RetentionPolicy, key: GroupKey, newestFirst: [BackupName])
        -> RetentionPlan.Group
    {
        var rules: [Rule] = [
            Rule(remaining: policy.keepLast ?? 0, reason: "last backup") { _, position in Int64(position) },
            Rule(remaining: policy.keepHourly ?? 0, reason: "hourly backup") { p, _ in
                Int64(p.year) * 1_000_000 + Int64(p.month) * 10_000 + Int64(p.day) * 100 + Int64(p.hour)
            },
            Rule(remaining: policy.keepDaily ?? 0, reason: "daily backup") { p, _ in
                Int64(p.year) * 10_000 + Int64(p.month) * 100 + Int64(p.day)
            },
            Rule(remaining: policy.keepWeekly ?? 0, reason: "weekly backup") { p, _ in
                let week = p.isoWeek
                return Int64(week.year) * 100 + Int64(week.week)
            },
            Rule(remaining: policy.keepMonthly ?? 0, reason: "monthly backup") { p, _ in
                Int64(p.year) * 100 + Int64(p.month)
            },
            Rule(remaining: policy.keepYearly ?? 0, reason: "yearly backup") { p, _ in Int64(p.year) },
        ]
        var keep: [KeptBackup] = []
        var remove: [BackupName] = []
        for (position, backup) in newestFirst.enumerated() {
            let parts = UTCTime.Parts(milliseconds: UTCTime.milliseconds(backup.time))
            let isOldest = position == newestFirst.count - 1
            var reasons: [String] = []
            for index in rules.indices where rules[index].remaining > 0 {
                let bucket = rules[index].bucket(parts, position)
                let sameBucket = bucket == rules[index].lastBucket
                guard !sameBucket || isOldest else { continue }
                reasons.append(sameBucket ? "oldest " + rules[index].reason : rules[index].reason)
                rules[index].lastBucket = bucket
                rules[index].remaining -= 1
            }
            if reasons.isEmpty {
                remove.append(backup)
            } else {
                keep.append(KeptBackup(name: backup, reasons: reasons))
            }
        }
        return RetentionPlan.Group(clusterID: key.clusterID, nodeID: key.nodeID, keep: keep, remove: remove)
    }
}
