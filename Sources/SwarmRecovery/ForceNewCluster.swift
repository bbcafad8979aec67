import Foundation
import Logging
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmStateReplacement
import SwarmStore

/// `swarmsafe recover --force-new-cluster`: swarmkit's quorum-loss rescue, done on disk.
///
/// The folder is copied to a hidden sibling, the conf changes of the plan are appended to the
/// copy's WAL (encrypted with the node's DEK, after the committed entries, which makes the
/// uncommitted tail void exactly as a rewrite of those indexes does in etcd) with a hard state
/// whose commit covers them. A move to a new address then rebuilds the copy's raft folder as
/// one snapshot at that commit whose membership carries the new address: the one place
/// swarmkit takes its own address from. The copy is read back and must show a single member
/// at the address asked for; then it is swapped in and the previous folder kept as
/// `<dir>.swarmsafe-old-<time>`, the rollback copy.
public struct ForceNewCluster {
    public let directory: StateDirectory
    public let unlockKey: UnlockKey?
    public let options: ForceNewClusterOptions
    public let logger: Logger
    public let clock: () -> Date

    public init(
        directory: StateDirectory, unlockKey: UnlockKey?, options: ForceNewClusterOptions = ForceNewClusterOptions(),
        logger: Logger = Logger(label: "swarmsafe.recover"), clock: @escaping () -> Date = Date.init
    ) {
        self.directory = directory
        self.unlockKey = unlockKey
        self.options = options
        self.logger = logger
        self.clock = clock
    }

    public func plan() throws -> ForceNewClusterPlan {
        try ForceNewClusterPlan(NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: true), options: options)
    }

    /// Carries out the plan; returns where the previous folder went (nil when nothing changed).
    public func run() throws -> (plan: ForceNewClusterPlan, previousMovedTo: String?) {
        let now = clock()
        let replacement = StateDirectoryReplacement(target: directory.path, use: .recovery, now: now, logger: logger)
        let outcome = try replacement.run { staging in
            let node = try NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: true)
            let plan = try ForceNewClusterPlan(node, options: options)
            guard !plan.isNoOp else { return .unchanged(plan) }
            guard let log = node.raft else { throw StateDirectoryError.worker(path: directory.path) }
            let cipher = try node.raftCipher()
            let skipped = try TreeCopy.copyContents(of: directory.path, into: staging.path)
            for path in skipped { logger.warning("not a file, folder or symlink; not carried over", metadata: ["path": "\(path)"]) }
            try Self.append(plan, log: log, cipher: cipher, to: staging.directory, unlockKey: unlockKey, now: now)
            return .install(plan)
        }
        return (outcome.value, outcome.previousMovedTo)
    }

    /// Recovers a folder nobody else can see yet (a restore's staging folder) in place;
    /// returns the plan, a no-op when there was nothing to do.
    @discardableResult
    public static func applyInPlace(
        to directory: StateDirectory, unlockKey: UnlockKey?, options: ForceNewClusterOptions = ForceNewClusterOptions(),
        now: Date = Date()
    ) throws -> ForceNewClusterPlan {
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: true)
        let plan = try ForceNewClusterPlan(node, options: options)
        guard !plan.isNoOp, let log = node.raft else { return plan }
        try append(plan, log: log, cipher: try node.raftCipher(), to: directory, unlockKey: unlockKey, now: now)
        return plan
    }

    /// Appends the plan's conf changes, its store changes and the hard state to `copy`'s WAL,
    /// rewrites the address files, and checks the result.
    static func append(
        _ plan: ForceNewClusterPlan, log: RaftLog, cipher: RaftCipher, to copy: StateDirectory, unlockKey: UnlockKey?,
        now: Date
    ) throws {
        guard let layout = copy.raftLayout else { throw StateDirectoryError.noWAL(path: copy.raftDirectory.path) }
        func stored(_ plaintext: Data) throws -> Data {
            layout.isEncrypted ? try cipher.encryptSerialized(plaintext) : plaintext
        }
        var writer = try WALWriter.open(
            directory: copy.walDirectory(layout), at: WALStart(index: log.snapshotIndex, term: log.snapshotTerm))
        var entries = try plan.confChanges().map { index, change in
            var entry = RaftEntry()
            entry.type = .entryConfChange
            entry.term = plan.hardState.term
            entry.index = index
            entry.data = try stored(EtcdWire.marshal(change))
            return entry
        }
        if let request = try plan.storeRequest(now: now) {
            var entry = RaftEntry()
            entry.type = .entryNormal
            entry.term = plan.hardState.term
            entry.index = plan.hardState.commit + UInt64(entries.count) + 1
            entry.data = try stored(try request.serializedBytes())
            entries.append(entry)
        }
        try writer.save(hardState: plan.newHardState, entries: entries)
        try writer.close()
        if plan.rebuildsSnapshot, let change = plan.addressChange {
            try rebuildWithAddress(change.to, raftID: plan.selfRaftID, in: copy, cipher: cipher, unlockKey: unlockKey)
        }
        try writeAddressFiles(plan, to: copy)
        try check(copy, plan: plan, unlockKey: unlockKey)
    }

    /// The copy's raft folder as one snapshot at its last index, with this member at `address`.
    static func rebuildWithAddress(
        _ address: String, raftID: UInt64, in copy: StateDirectory, cipher: RaftCipher, unlockKey: UnlockKey?
    ) throws {
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(copy, replay: true)
        guard let log = node.raft, var cluster = node.cluster else { throw StateDirectoryError.noWAL(path: copy.raftDirectory.path) }
        cluster.membership.setAddress(address, for: raftID)
        let output: StateRewriter.Output = log.layout.isEncrypted ? .encrypted(cipher) : .plaintext
        _ = try StateRewriter(source: copy, log: log, cluster: cluster).compactInPlace(copy, output: output)
    }

    /// `state.json` lists the managers this node's agent dials; swarmkit's own force-new-cluster
    /// leaves only this one there, at the address it already had, or at the new one.
    static func writeAddressFiles(_ plan: ForceNewClusterPlan, to copy: StateDirectory) throws {
        guard let nodeID = plan.selfNodeID else { return }
        if let change = plan.addressChange {
            try AddressFiles.writeStateJSON(nodeID: nodeID, address: change.to, to: copy)
            try AddressFiles.rewriteDockerState(in: copy, from: change.from, to: change.to, listen: change.listen)
            return
        }
        // A folder without state.json gets one; one that does not read was refused on load.
        let known = try FileSync.entry(copy.stateFile.path) == .missing ? [] : try StateJSON.read(copy.stateFile)
        guard let addr = known.first(where: { $0.nodeID == nodeID })?.addr ?? plan.selfAddr else { return }
        try AddressFiles.writeStateJSON(nodeID: nodeID, address: addr, to: copy)
    }

    /// The copy must read back as what a manager started without the flag will see: this
    /// node the only member, the commit at the last entry, the conf changes in place.
    static func check(_ copy: StateDirectory, plan: ForceNewClusterPlan, unlockKey: UnlockKey?) throws {
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(copy, replay: true)
        let members = node.cluster?.membership.members.map(\.raftID) ?? []
        let state = node.raft?.hardState
        let lastIndex = node.raft?.lastIndex
        guard members == [plan.selfRaftID] else {
            throw RecoveryError.resultInconsistent(path: copy.path, reason: "members \(members.map(raftIDString))")
        }
        guard state == plan.newHardState, lastIndex == plan.newHardState.commit else {
            throw RecoveryError.resultInconsistent(
                path: copy.path, reason: "hard state \(String(describing: state)), last index \(lastIndex ?? 0)")
        }
        if let change = plan.addressChange {
            let recorded = node.cluster?.membership.member(plan.selfRaftID)?.addr
            guard recorded == change.to else {
                throw RecoveryError.resultInconsistent(path: copy.path, reason: "member address \(recorded ?? "none")")
            }
        }
        for lost in plan.lostManagers where node.cluster?.store.contains(.node, id: lost.nodeID) != false {
            throw RecoveryError.resultInconsistent(path: copy.path, reason: "node \(lost.nodeID) still in the store")
        }
    }
}
