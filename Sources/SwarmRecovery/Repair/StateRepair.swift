#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import SwarmFormats
import SwarmNode
import SwarmStateReplacement

/// `swarmsafe repair`: salvages the longest consistent prefix of a damaged manager's raft
/// data (the newest good snapshot and the consecutive intact entries after it).
///
/// The repaired folder is built as a hidden sibling copy, must read back exactly as planned
/// and without any damage, and is then swapped in; the previous folder, damaged files and all,
/// is kept whole as `<dir>.swarmsafe-old-<time>`. Nothing is ever deleted.
public struct StateRepair {
    public let directory: StateDirectory
    public let unlockKey: UnlockKey?
    public let logger: Logger
    public let clock: () -> Date

    public init(
        directory: StateDirectory, unlockKey: UnlockKey?, logger: Logger = Logger(label: "swarmsafe.repair"),
        clock: @escaping () -> Date = Date.init
    ) {
        self.directory = directory
        self.unlockKey = unlockKey
        self.logger = logger
        self.clock = clock
    }

    /// What is damaged and what would be kept; reads only.
    public func plan() throws -> RepairPlan {
        try RepairPlan.make(directory: directory, unlockKey: unlockKey)
    }

    /// Carries out the plan; returns where the previous folder went (nil when the folder was
    /// healthy and left alone).
    public func run() throws -> (plan: RepairPlan, previousMovedTo: String?) {
        try directory.validate()
        let replacement = StateDirectoryReplacement(target: directory.path, use: .repair, now: clock(), logger: logger)
        let outcome = try replacement.run { staging in
            let plan = try plan()
            guard !plan.isHealthy else { return .unchanged(plan) }
            let skipped = try SalvageWriter.write(plan, from: directory, into: staging.directory)
            for path in skipped { logger.warning("not a file, folder or symlink; not carried over", metadata: ["path": "\(path)"]) }
            try Self.check(staging.directory, against: plan, unlockKey: unlockKey)
            return .install(plan)
        }
        return (outcome.value, outcome.previousMovedTo)
    }

    /// The copy must load the way swarmkit would load it, with nothing skipped or cut, and end
    /// exactly where the plan says.
    static func check(_ copy: StateDirectory, against plan: RepairPlan, unlockKey: UnlockKey?) throws {
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(copy, replay: true)
        guard let log = node.raft else { throw RepairError.resultInconsistent(path: copy.path, reason: "no raft log") }
        var problems: [String] = log.skippedSnapshots.map { "skipped snapshot \($0)" }
        if let torn = log.wal.tornTail { problems.append("torn tail \(torn)") }
        if log.snapshotIndex != plan.snapshotIndex { problems.append("snapshot index \(log.snapshotIndex)") }
        if log.lastIndex != plan.lastIndex || log.entries.count != plan.entries {
            problems.append("last index \(log.lastIndex) after \(log.entries.count) entries")
        }
        if log.hardState != plan.hardStateAfter { problems.append("hard state \(log.hardState)") }
        guard problems.isEmpty else {
            throw RepairError.resultInconsistent(path: copy.path, reason: problems.joined(separator: "; "))
        }
    }
}
