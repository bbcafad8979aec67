import ArgumentParser
import Foundation
import SwarmFormats
import SwarmRecovery
import SwarmSafeKit

struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Rescue a swarm that lost quorum: make this manager a one-manager cluster, on disk.",
        discussion: """
            --force-new-cluster does what `docker swarm init --force-new-cluster` does when \
            the daemon starts, but offline and before any daemon runs: entries the cluster \
            never committed are dropped, a RemoveNode conf change is appended for every other \
            manager (and an AddNode for this one if it was missing), encrypted with the \
            node's data key, with a hard state that commits them. A manager started on the \
            folder *without* the flag then boots as the only manager and leader, with every \
            service, secret, config and network.

            The work is done on a copy that must read back as a one-manager cluster before \
            it replaces the folder; the previous folder is kept as <dir>.swarmsafe-old-<UTC \
            time> for rollback (rename it back to undo). Refuses while a daemon holds the \
            folder. A folder that already is a one-manager cluster is left alone. The lost \
            managers' node objects stay in the store (shown as down) and certificates are \
            unchanged.

            Exit codes: 0 done (or nothing to do), 1 failure (e.g. a worker's folder), \
            3 autolocked and no or a wrong unlock key, 4 damaged log, 5 no such folder, \
            6 the folder is in use.
            """
    )

    @Flag(help: "Make this manager the only member of a new cluster (required).")
    var forceNewCluster = false

    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions

    @Flag(help: "Print what would change; change nothing.") var dryRun = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard forceNewCluster else { throw ValidationError("recover needs --force-new-cluster (the only recovery so far).") }
    }

    func run() throws {
        let recovery = ForceNewCluster(directory: state.directory, unlockKey: try unlock.resolve(), logger: Log.logger)
        let plan: ForceNewClusterPlan
        var previous: String?
        if dryRun {
            plan = try recovery.plan()
        } else {
            (plan, previous) = try recovery.run()
        }
        let report = RecoverReport(stateDir: state.directory.path, plan: plan, dryRun: dryRun, previousMovedTo: previous)
        if json {
            print(try report.json())
            return
        }
        if plan.isNoOp {
            print("\(state.directory.path): already a one-manager cluster with nothing uncommitted; nothing to do")
            return
        }
        let verb = dryRun ? "would" : "did"
        print("\(state.directory.path): this manager \(raftIDString(plan.selfRaftID)) (node \(plan.selfNodeID ?? "?")) \(dryRun ? "would become" : "is now") the only manager")
        if plan.droppedEntries > 0 {
            print("  \(verb) drop \(plan.droppedEntries) uncommitted entries (\(plan.hardState.commit + 1)…\(plan.lastIndex))")
        }
        for member in plan.removed {
            print("  \(verb) remove manager \(raftIDString(member.raftID)) (node \(member.nodeID ?? "?"), \(member.addr ?? "address unknown"))")
        }
        if plan.addsSelf { print("  \(verb) add this node as a voter") }
        let state = plan.newHardState
        print("  hard state: term \(state.term), commit \(plan.hardState.commit) → \(state.commit)")
        if let previous { print("  the previous folder is kept at \(previous) (rename it back to roll back)") }
        if dryRun { print("  dry run: nothing was changed") }
    }
}

/// `recover --json`. Field names are a contract.
struct RecoverReport: ReportJSON {
    struct Member: Encodable {
        let raftID: String
        let nodeID: String?
        let addr: String?
        enum CodingKeys: String, CodingKey {
            case addr
            case raftID = "raft_id"
            case nodeID = "node_id"
        }
    }
    struct Appended: Encodable {
        let index: UInt64
        let type: String
        let raftID: String
        enum CodingKeys: String, CodingKey {
            case index, type
            case raftID = "raft_id"
        }
    }
    struct HardState: Encodable {
        let term: UInt64
        let vote: String
        let commit: UInt64
    }

    let stateDir: String
    let dryRun: Bool
    let changed: Bool
    let raftID: String
    let nodeID: String?
    let droppedEntries: UInt64
    let removedMembers: [Member]
    let appendedEntries: [Appended]
    let hardStateBefore: HardState
    let hardStateAfter: HardState
    let previousMovedTo: String?

    init(stateDir: String, plan: ForceNewClusterPlan, dryRun: Bool, previousMovedTo: String?) {
        self.stateDir = stateDir
        self.dryRun = dryRun
        changed = !dryRun && !plan.isNoOp
        raftID = raftIDString(plan.selfRaftID)
        nodeID = plan.selfNodeID
        droppedEntries = plan.droppedEntries
        removedMembers = plan.removed.map { Member(raftID: raftIDString($0.raftID), nodeID: $0.nodeID, addr: $0.addr) }
        appendedEntries = plan.isNoOp ? [] : plan.confChanges.map {
            Appended(
                index: $0.index, type: $0.change.type == .confChangeRemoveNode ? "remove_node" : "add_node",
                raftID: raftIDString($0.change.nodeID))
        }
        hardStateBefore = HardState(term: plan.hardState.term, vote: raftIDString(plan.hardState.vote), commit: plan.hardState.commit)
        let after = plan.isNoOp ? plan.hardState : plan.newHardState
        hardStateAfter = HardState(term: after.term, vote: raftIDString(after.vote), commit: after.commit)
        self.previousMovedTo = previousMovedTo
    }

    enum CodingKeys: String, CodingKey {
        case changed
        case stateDir = "state_dir"
        case dryRun = "dry_run"
        case raftID = "raft_id"
        case nodeID = "node_id"
        case droppedEntries = "dropped_entries"
        case removedMembers = "removed_members"
        case appendedEntries = "appended_entries"
        case hardStateBefore = "hard_state_before"
        case hardStateAfter = "hard_state_after"
        case previousMovedTo = "previous_moved_to"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stateDir, forKey: .stateDir)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(changed, forKey: .changed)
        try c.encode(raftID, forKey: .raftID)
        try c.encode(nodeID, forKey: .nodeID)
        try c.encode(droppedEntries, forKey: .droppedEntries)
        try c.encode(removedMembers, forKey: .removedMembers)
        try c.encode(appendedEntries, forKey: .appendedEntries)
        try c.encode(hardStateBefore, forKey: .hardStateBefore)
        try c.encode(hardStateAfter, forKey: .hardStateAfter)
        try c.encode(previousMovedTo, forKey: .previousMovedTo)
    }
}
