import ArgumentParser
import Foundation
import SwarmFormats
import SwarmProto
import SwarmRecovery

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Salvage a manager whose raft log or snapshot is damaged, keeping the longest consistent part.",
        discussion: """
            For the folders swarmkit refuses to load ("WAL error cannot be repaired: \
            unexpected EOF", a CRC mismatch, a damaged snapshot). repair first reports exactly \
            what is damaged (file, byte offset, raft index), then keeps the newest intact \
            snapshot and the consecutive intact entries after it, and says at which raft index \
            the state now ends:

            - a torn last record, which a crash mid-write leaves, is cut off (etcd does the same);
            - a damaged record anywhere else ends the log there: the entries from it on, and \
            the segments after it, are not kept;
            - a damaged newest snapshot is passed over for the next intact one, or for the \
            start of the log, when the WAL still reaches back to it; when its entries were \
            compacted away no consistent state exists and repair refuses (exit 4);
            - an entry whose payload does not decrypt or decode ends the log before it.

            The hard state is fitted to what is kept (commit at most the last kept index). \
            The repaired folder is built as a copy, must load cleanly, and only then replaces \
            the folder; the previous folder, damaged files included, is kept whole as \
            <dir>.swarmsafe-old-<UTC time> (rename it back to undo). repair never deletes \
            anything, refuses while a daemon holds the folder, and leaves a healthy folder alone.

            Entries after the cut are lost to this manager. If other managers of the cluster \
            are healthy they still hold them: rejoining this node to them loses nothing.

            Examples:
              swarmsafe repair --dry-run
              swarmsafe repair --unlock-key-file /root/swarm-unlock.key --json

            Exit codes: 0 repaired, nothing to repair, or --dry-run; 1 failure (e.g. a \
            worker's folder); 3 autolocked and no or a wrong unlock key; 4 no consistent state \
            can be salvaged; 5 no such folder; 6 the folder is in use.
            """
    )

    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions

    @Flag(help: "Report what is damaged and what would be kept; change nothing.") var dryRun = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let repair = StateRepair(directory: state.directory, unlockKey: try unlock.resolve(), logger: Log.logger)
        let plan: RepairPlan
        var previous: String?
        if dryRun {
            plan = try repair.plan()
        } else {
            (plan, previous) = try repair.run()
        }
        let report = RepairReport(plan: plan, dryRun: dryRun, previousMovedTo: previous)
        if json {
            print(try report.json())
        } else {
            print(Self.text(plan, dryRun: dryRun, previous: previous))
        }
    }

    static func text(_ plan: RepairPlan, dryRun: Bool, previous: String?) -> String {
        let dir = plan.stateDir
        let state = plan.hardStateAfter
        guard !plan.isHealthy else {
            return "\(dir): nothing to repair: \(kept(plan)), ending at index \(plan.lastIndex) "
                + "(hard state term \(state.term), commit \(state.commit))"
        }
        var lines = ["\(dir): damage found"]
        for finding in plan.findings {
            lines.append("  \(finding) [\(finding.action.rawValue.replacingOccurrences(of: "_", with: " "))]")
        }
        let verb = dryRun ? "would keep" : "kept"
        lines.append("  \(verb) \(kept(plan)); the state \(dryRun ? "would end" : "now ends") at index \(plan.lastIndex) (term \(plan.lastTerm))")
        if let cut = plan.cutFromIndex {
            let dropped = plan.droppedEntries > 0 ? " (\(plan.droppedEntries) intact entries after the unusable one included)" : ""
            lines.append("  nothing from index \(cut) on is kept\(dropped)")
        }
        let before = plan.hardStateBefore
        lines.append(
            "  hard state: term \(before.term) → \(state.term), vote \(raftIDString(before.vote)) → \(raftIDString(state.vote)), "
                + "commit \(before.commit) → \(state.commit)")
        if let previous {
            lines.append("  the previous folder, damaged files included, is kept at \(previous) (rename it back to roll back):")
            for file in plan.damagedFiles { lines.append("    \(previous)/\(file)") }
        }
        if dryRun { lines.append("  dry run: nothing was changed") }
        return lines.joined(separator: "\n")
    }

    static func kept(_ plan: RepairPlan) -> String {
        let start = plan.snapshot.map { "snapshot \($0.fileName) (index \(plan.snapshotIndex))" } ?? "no snapshot"
        guard plan.entries > 0 else { return start + " and no entries after it" }
        return start + " + entries \(plan.lastIndex - UInt64(plan.entries) + 1)…\(plan.lastIndex)"
    }
}

/// `repair --json`. Field names are a contract.
struct RepairReport: ReportJSON {
    struct Finding: Encodable {
        let kind: String
        let file: String
        @AlwaysPresent var offset: Int?
        @AlwaysPresent var index: UInt64?
        let reason: String
        let action: String
        /// The untouched original inside the rollback copy.
        @AlwaysPresent var asidePath: String?

        enum CodingKeys: String, CodingKey {
            case kind, file, offset, index, reason, action
            case asidePath = "aside_path"
        }
    }
    struct Snapshot: Encodable {
        let file: String
        let index: UInt64
        let term: UInt64
    }
    let stateDir: String
    let dryRun: Bool
    let changed: Bool
    let healthy: Bool
    let findings: [Finding]
    @AlwaysPresent var snapshot: Snapshot?
    let entries: Int
    let endsAtIndex: UInt64
    let lastTerm: UInt64
    @AlwaysPresent var cutFromIndex: UInt64?
    let droppedEntries: Int
    let hardStateBefore: HardStateJSON
    let hardStateAfter: HardStateJSON
    @AlwaysPresent var previousMovedTo: String?

    init(plan: RepairPlan, dryRun: Bool, previousMovedTo: String?) {
        stateDir = plan.stateDir
        self.dryRun = dryRun
        changed = previousMovedTo != nil
        healthy = plan.isHealthy
        findings = plan.findings.map { finding in
            Finding(
                kind: finding.kind.rawValue, file: finding.file, offset: finding.offset, index: finding.index,
                reason: finding.reason, action: finding.action.rawValue,
                asidePath: previousMovedTo.map { $0 + "/" + finding.file })
        }
        snapshot = plan.snapshot.map { Snapshot(file: $0.fileName, index: plan.snapshotIndex, term: plan.snapshotTerm) }
        entries = plan.entries
        endsAtIndex = plan.lastIndex
        lastTerm = plan.lastTerm
        cutFromIndex = plan.cutFromIndex
        droppedEntries = plan.droppedEntries
        hardStateBefore = HardStateJSON(plan.hardStateBefore)
        hardStateAfter = HardStateJSON(plan.hardStateAfter)
        self.previousMovedTo = previousMovedTo
    }

    enum CodingKeys: String, CodingKey {
        case changed, healthy, findings, snapshot, entries
        case stateDir = "state_dir"
        case dryRun = "dry_run"
        case endsAtIndex = "ends_at_index"
        case lastTerm = "last_term"
        case cutFromIndex = "cut_from_index"
        case droppedEntries = "dropped_entries"
        case hardStateBefore = "hard_state_before"
        case hardStateAfter = "hard_state_after"
        case previousMovedTo = "previous_moved_to"
    }
}
