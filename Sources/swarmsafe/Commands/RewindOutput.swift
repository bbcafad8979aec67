import ArgumentParser
import Foundation
import SwarmFormats
import SwarmHistory
import SwarmProto
import SwarmRecovery

/// `recover --rewind-to N`, kept out of RecoverCommand so that file stays about the flags.
enum RewindRunner {
    static func run(
        directory: StateDirectory, index: UInt64, unlockKey: UnlockKey?, forceNewCluster: Bool,
        rescueOptions: ForceNewClusterOptions, dryRun: Bool, json: Bool
    ) throws {
        let rewind = Rewind(
            directory: directory, index: index, unlockKey: unlockKey, forceNewCluster: forceNewCluster,
            rescueOptions: rescueOptions, logger: Log.logger)
        let report: RewindReport
        if dryRun {
            report = RewindReport(stateDir: directory.path, plan: try rewind.plan(), dryRun: true, previousMovedTo: nil, recovery: nil)
        } else {
            let result = try rewind.run()
            report = RewindReport(
                stateDir: directory.path, plan: result.plan, dryRun: false, previousMovedTo: result.previousMovedTo,
                recovery: try result.recovery.map {
                    try RecoverReport(stateDir: directory.path, plan: $0, dryRun: false, previousMovedTo: nil)
                })
        }
        if json {
            print(try report.json())
        } else {
            for line in report.lines { print(line) }
        }
    }
}

/// `recover --rewind-to --json` and the `rewind` part of `restore --json`. Field names are a contract.
struct RewindReport: ReportJSON {
    let stateDir: String
    let dryRun: Bool
    let changed: Bool
    let index: UInt64
    let term: UInt64
    let lastIndexBefore: UInt64
    let droppedEntries: UInt64
    let droppedConfChanges: [DroppedConfChange]
    let hardStateBefore: HardStateJSON
    let hardStateAfter: HardStateJSON
    let changes: DiffReport
    let warnings: [String]
    @AlwaysPresent var previousMovedTo: String?
    @AlwaysPresent var forceNewCluster: RecoverReport?

    struct DroppedConfChange: Encodable {
        let index: UInt64
        let type: String
        let raftID: String
        enum CodingKeys: String, CodingKey {
            case index, type
            case raftID = "raft_id"
        }
    }

    init(stateDir: String, plan: RewindPlan, dryRun: Bool, previousMovedTo: String?, recovery: RecoverReport?) {
        self.stateDir = stateDir
        self.dryRun = dryRun
        changed = !dryRun && (!plan.isNoOp || recovery?.changed == true)
        index = plan.index
        term = plan.term
        lastIndexBefore = plan.lastIndex
        droppedEntries = plan.droppedEntries
        droppedConfChanges = plan.droppedConfChanges.map {
            DroppedConfChange(index: $0.index, type: Self.name($0.type), raftID: raftIDString($0.raftID))
        }
        let before = plan.hardState
        let after = plan.newHardState
        hardStateBefore = HardStateJSON(before)
        hardStateAfter = HardStateJSON(after)
        changes = DiffReport(
            a: DiffReport.Side(source: stateDir, index: plan.lastIndex), b: DiffReport.Side(source: stateDir, index: plan.index),
            diff: plan.changes)
        warnings = plan.warnings
        self.previousMovedTo = previousMovedTo
        forceNewCluster = recovery
    }

    static func name(_ type: RaftConfChangeType) -> String {
        switch type {
        case .confChangeAddNode: "add_node"
        case .confChangeRemoveNode: "remove_node"
        case .confChangeUpdateNode: "update_node"
        case .confChangeAddLearnerNode: "add_learner_node"
        }
    }

    static let objectLines = 40

    var lines: [String] {
        let verb = dryRun ? "would" : "did"
        var lines: [String] = []
        if !changed && !dryRun {
            lines.append("\(stateDir): already ends at index \(index) with everything committed; nothing to do")
            return lines
        }
        lines.append("\(stateDir): \(dryRun ? "would rewind" : "rewound") to the state right after index \(index) (term \(term))")
        lines.append("  \(verb) drop \(droppedEntries) entries (\(index + 1)…\(lastIndexBefore))")
        for change in droppedConfChanges {
            lines.append("  \(verb) drop conf change \(change.type) \(change.raftID) at \(change.index)")
        }
        lines.append("  hard state: term \(hardStateAfter.term), commit \(hardStateBefore.commit) → \(hardStateAfter.commit)")
        // Objects only, and not all of them: task churn can run to thousands of lines, and
        // `swarmsafe diff` shows every field.
        var objects = Array(changes.lines.dropFirst(2).filter { !$0.hasPrefix(" ") })
        let summary = objects.popLast()
        let shown = objects.count > Self.objectLines + 1 ? Array(objects.prefix(Self.objectLines)) : objects
        for line in shown { lines.append("  " + line) }
        if shown.count < objects.count {
            lines.append("  … and \(objects.count - shown.count) more; `swarmsafe diff D D --at-index \(index)` lists every field")
        }
        if let summary { lines.append("  store: " + summary) }
        for warning in warnings { lines.append("  warning: \(warning)") }
        if let recovery = forceNewCluster, recovery.changed {
            lines.append("  made it a one-manager cluster: removed \(recovery.removedMembers.count) other managers")
        }
        if let previousMovedTo { lines.append("  the previous folder is kept at \(previousMovedTo) (rename it back to roll back)") }
        if dryRun { lines.append("  dry run: nothing was changed") }
        return lines
    }

    enum CodingKeys: String, CodingKey {
        case changed, index, term, changes, warnings
        case stateDir = "state_dir"
        case dryRun = "dry_run"
        case lastIndexBefore = "last_index_before"
        case droppedEntries = "dropped_entries"
        case droppedConfChanges = "dropped_conf_changes"
        case hardStateBefore = "hard_state_before"
        case hardStateAfter = "hard_state_after"
        case previousMovedTo = "previous_moved_to"
        case forceNewCluster = "force_new_cluster"
    }
}

extension RestoreCommand {
    /// The index `--at-index` or `--before-index` asks for; nil for a plain restore.
    func rewindIndex() throws -> UInt64? {
        switch (atIndex, beforeIndex) {
        case (nil, nil): return nil
        case (let index?, nil): return index
        case (nil, let before?):
            guard before > 0 else { throw ValidationError("--before-index must be at least 1") }
            return before - 1
        case (_?, _?): throw ValidationError("Give --at-index or --before-index, not both.")
        }
    }
}
