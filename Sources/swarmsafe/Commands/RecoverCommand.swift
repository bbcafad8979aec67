import ArgumentParser
import Foundation
import SwarmFormats
import SwarmProto
import SwarmRecovery

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

            --rewind-to N puts the folder back to the state right after log entry N: the \
            snapshot and the entries up to N, unchanged, with a hard state that commits N \
            (membership changes after N are dropped with their entries). To undo a \
            `docker service rm web` that `swarmsafe history --name web` shows at 4213, stop \
            the daemon and run `swarmsafe recover --rewind-to 4212` (try --dry-run first; \
            `swarmsafe diff` shows the same changes). N can go back to the snapshot's index, \
            no further (exit 2 with the possible range otherwise). With several managers, \
            rewind one with --force-new-cluster too and join the others anew: managers still \
            holding the later entries would bring them back.

            Exit codes: 0 done (or nothing to do), 1 failure (e.g. a worker's folder), \
            3 autolocked and no or a wrong unlock key, 4 damaged log, 5 no such folder, \
            6 the folder is in use.
            """
    )

    @Flag(help: "Make this manager the only member of a new cluster (required unless --rewind-to).")
    var forceNewCluster = false

    @Option(help: ArgumentHelp(
        "Put the state back to right after this log index (see history); with --force-new-cluster, rewind first.",
        valueName: "index"))
    var rewindTo: UInt64?

    @OptionGroup var recovery: RecoveryOptions
    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions

    @Flag(help: "Print what would change; change nothing.") var dryRun = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard forceNewCluster || rewindTo != nil else {
            throw ValidationError("recover needs --force-new-cluster or --rewind-to.")
        }
        if recovery.isRequested && !forceNewCluster {
            throw ValidationError("--advertise-addr, --listen-addr and --remove-lost-managers go with --force-new-cluster.")
        }
        _ = try recovery.resolve()
    }

    func run() throws {
        if let rewindTo {
            return try RewindRunner.run(
                directory: state.directory, index: rewindTo, unlockKey: try unlock.resolve(),
                forceNewCluster: forceNewCluster, rescueOptions: try recovery.resolve(), dryRun: dryRun, json: json)
        }
        let rescue = ForceNewCluster(
            directory: state.directory, unlockKey: try unlock.resolve(), options: try recovery.resolve(), logger: Log.logger)
        let plan: ForceNewClusterPlan
        var previous: String?
        if dryRun {
            plan = try rescue.plan()
        } else {
            (plan, previous) = try rescue.run()
        }
        let report = try RecoverReport(stateDir: state.directory.path, plan: plan, dryRun: dryRun, previousMovedTo: previous)
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
        if let change = plan.addressChange {
            let member = plan.rebuildsSnapshot ? "a new snapshot at the commit carrying the member's address, " : ""
            print("  \(verb) change this manager's address \(change.from ?? "(none)") → \(change.to) (\(member)node object, state.json, docker-state.json)")
        }
        for lost in plan.lostManagers {
            print("  \(verb) remove the node object of lost manager \(lost.nodeID) (\(lost.hostname.isEmpty ? "no hostname" : lost.hostname)); \(lost.openTasks) unfinished tasks become orphaned")
        }
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
    struct AddressChange: Encodable {
        let from: String?
        let to: String
        /// The raft folder was rebuilt as one snapshot carrying the new address.
        let snapshotRebuilt: Bool
        enum CodingKeys: String, CodingKey {
            case from, to
            case snapshotRebuilt = "snapshot_rebuilt"
        }
    }
    struct RemovedNode: Encodable {
        let nodeID: String
        let hostname: String
        let orphanedTasks: Int
        enum CodingKeys: String, CodingKey {
            case hostname
            case nodeID = "node_id"
            case orphanedTasks = "orphaned_tasks"
        }
    }

    let stateDir: String
    let dryRun: Bool
    let changed: Bool
    let raftID: String
    @AlwaysPresent var nodeID: String?
    let droppedEntries: UInt64
    let removedMembers: [Member]
    let appendedEntries: [Appended]
    let hardStateBefore: HardStateJSON
    let hardStateAfter: HardStateJSON
    @AlwaysPresent var addressChange: AddressChange?
    let removedNodes: [RemovedNode]
    @AlwaysPresent var previousMovedTo: String?

    init(stateDir: String, plan: ForceNewClusterPlan, dryRun: Bool, previousMovedTo: String?) throws {
        self.stateDir = stateDir
        self.dryRun = dryRun
        changed = !dryRun && !plan.isNoOp
        raftID = raftIDString(plan.selfRaftID)
        nodeID = plan.selfNodeID
        droppedEntries = plan.droppedEntries
        removedMembers = plan.removed.map { Member(raftID: raftIDString($0.raftID), nodeID: $0.nodeID, addr: $0.addr) }
        appendedEntries = plan.isNoOp ? [] : try plan.confChanges().map {
            Appended(index: $0.index, type: Self.typeName($0.change.type), raftID: raftIDString($0.change.nodeID))
        }
        addressChange = plan.addressChange.map { AddressChange(from: $0.from, to: $0.to, snapshotRebuilt: plan.rebuildsSnapshot) }
        removedNodes = plan.lostManagers.map { RemovedNode(nodeID: $0.nodeID, hostname: $0.hostname, orphanedTasks: $0.openTasks) }
        hardStateBefore = HardStateJSON(plan.hardState)
        let after = plan.isNoOp ? plan.hardState : plan.newHardState
        hardStateAfter = HardStateJSON(after)
        self.previousMovedTo = previousMovedTo
    }

    static func typeName(_ type: RaftConfChangeType) -> String {
        switch type {
        case .confChangeAddNode: "add_node"
        case .confChangeRemoveNode: "remove_node"
        case .confChangeUpdateNode: "update_node"
        default: "other"
        }
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
        case addressChange = "address_change"
        case removedNodes = "removed_nodes"
        case previousMovedTo = "previous_moved_to"
    }
}
