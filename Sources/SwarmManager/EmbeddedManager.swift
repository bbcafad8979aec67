import Foundation
import Logging
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmStore
import Synchronization

/// A swarm manager embedded in swarmsafe: it boots a state directory (snapshot + log replay),
/// becomes the single voter's leader, and turns store transactions into raft entries in
/// swarmkit's own format, so whatever it writes a real manager later reads as its own log.
///
/// Reads are served from immutable views; writes are serialized, each one durable (a synced
/// WAL save) before it is visible.
public final class EmbeddedManager: Sendable {
    public struct Options: Sendable {
        public var readOnly: Bool
        public var clock: @Sendable () -> Date

        public init(readOnly: Bool = false, clock: @escaping @Sendable () -> Date = Date.init) {
            self.readOnly = readOnly
            self.clock = clock
        }
    }

    public let directory: StateDirectory
    public let options: Options
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        /// nil while the node key is still locked.
        var view: ManagerView?
        var voters: [UInt64] = []
        var log: LeaderLogBox?
        var failure: String?
        /// The KEK the node key file is under now (nil: stored in the clear).
        var nodeKeyKEK: UnlockKey?
        var fips = false
    }

    /// Boots from `directory`. An autolocked folder without `unlockKey` boots locked: it
    /// answers nothing but `unlock` until the right key arrives, as a locked daemon does.
    public init(
        directory: StateDirectory, unlockKey: UnlockKey?, options: Options = Options(),
        logger: Logger = Logger(label: "swarmsafe.manager")
    ) throws {
        self.directory = directory
        self.options = options
        self.logger = logger
        var initial = State()
        do {
            initial = try Self.boot(directory, unlockKey: unlockKey, options: options)
        } catch KeyMaterialError.locked where unlockKey == nil {
            logger.notice("the node key is locked; waiting for the unlock key", metadata: ["dir": "\(directory.path)"])
        }
        state = Mutex(initial)
    }

    /// Whether the manager is waiting for its unlock key.
    public var isLocked: Bool { state.withLock { $0.view == nil } }

    /// Opens a locked manager with its unlock key.
    /// Opens a locked manager with its unlock key; a manager that is already open ignores it.
    public func unlock(_ key: UnlockKey) throws {
        // Booting takes the WAL's locks, which a second boot of the same folder can't get; the
        // check keeps an unlock of an open manager from failing on them.
        guard isLocked else { return }
        let booted = try Self.boot(directory, unlockKey: key, options: options)
        state.withLock { $0 = booted }
    }

    /// The manager as of its last commit.
    public func view() throws -> ManagerView {
        try state.withLock { state in
            guard let view = state.view else { throw ManagerError.locked }
            return view
        }
    }

    /// Runs `body` as one store transaction, lets the orchestrator follow the services it
    /// touched, and commits the result as one raft entry. Nothing is visible or written when
    /// `body` throws.
    @discardableResult
    public func update<T: Sendable>(_ body: (inout StoreTransaction) throws -> T) throws -> T {
        try state.withLock { state -> T in
            guard let view = state.view else { throw ManagerError.locked }
            guard !options.readOnly, let box = state.log else { throw ManagerError.readOnly }
            if let failure = state.failure { throw ManagerError.stopped(reason: failure) }
            let now = options.clock()
            var transaction = StoreTransaction(store: view.store, version: box.log.commitIndex, now: now)
            let result = try body(&transaction)
            let nodesChanged = transaction.actions.contains { $0.target.map(\.kind) == .node }
            // A node change (drain, labels) can move any service's tasks.
            let touched = nodesChanged
                ? Set(transaction.store.objects(.service).map(\.id)) : Self.servicesTouched(by: transaction)
            var orchestrator = Orchestrator(now: now)
            try orchestrator.reconcile(&transaction, services: touched)
            try AllocationPass(selfNodeID: view.selfNodeID, now: now)
                .run(&transaction, services: touched, nodesChanged: nodesChanged)
            guard !transaction.isEmpty else { return result }
            do {
                try box.log.append(transaction.request)
            } catch {
                // The WAL may hold part of a record now; only a fresh boot (which cuts a torn
                // tail) knows what is durable, so no further write is accepted.
                state.failure = "writing to the log failed: \(error)"
                throw error
            }
            state.view = view.replacing(store: transaction.store, commitIndex: box.log.commitIndex)
            try snapshotIfDue(&state, box: box)
            if Self.touchesCluster(transaction) { try followUnlockKey(&state, now: now) }
            return result
        }
    }

    /// Stops accepting writes and closes the log, releasing its locks.
    public func close() throws {
        let box = state.withLock { state -> LeaderLogBox? in
            defer { state.log = nil; state.failure = state.failure ?? "stopped" }
            return state.log
        }
        try box?.close()
    }

    // MARK: boot

    private static func boot(_ directory: StateDirectory, unlockKey: UnlockKey?, options: Options) throws -> State {
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: true)
        guard let raft = node.raft, let cluster = node.cluster else { throw StateDirectoryError.worker(path: directory.path) }
        guard let local = node.localMember else {
            throw StateDirectoryError.noWAL(path: directory.raftDirectory.path)
        }
        let others = cluster.voters.filter { $0 != local.raftID }
        guard others.isEmpty else {
            throw ManagerError.otherVoters(path: directory.path, voters: others.sorted().map(raftIDString))
        }
        var box: LeaderLogBox?
        var commit = raft.hardState.commit
        var term = raft.hardState.term
        if !options.readOnly {
            let cipher = raft.layout.isEncrypted ? try node.raftCipher() : nil
            let log = try RaftLeaderLog.open(directory: directory, log: raft, cipher: cipher, selfRaftID: local.raftID)
            commit = log.commitIndex
            term = log.term
            box = LeaderLogBox(log)
        }
        let member = cluster.membership.member(local.raftID)
        let view = ManagerView(
            store: cluster.store, membership: cluster.membership,
            clusterID: node.certificates?.node.clusterID ?? cluster.store.objects(.cluster).first?.id ?? "",
            selfNodeID: node.certificates?.node.nodeID ?? local.nodeID, selfRaftID: local.raftID,
            selfAddr: member?.addr ?? local.addr, term: term, commitIndex: commit,
            snapshotIndex: raft.snapshotIndex, readOnly: options.readOnly, unlockKey: unlockKey,
            rootCACertificatePEM: try? Data(contentsOf: directory.rootCACertificate))
        return State(
            view: view, voters: cluster.voters, log: box, failure: nil,
            nodeKeyKEK: node.keys?.isLocked == true ? unlockKey : nil, fips: node.isFIPS)
    }

    // MARK: writing helpers

    private static func servicesTouched(by transaction: StoreTransaction) -> Set<String> {
        var services = Set<String>()
        for action in transaction.actions {
            if case .service(let service)? = action.target { services.insert(service.id) }
        }
        return services
    }

    private static func touchesCluster(_ transaction: StoreTransaction) -> Bool {
        transaction.actions.contains { action in
            if case .cluster? = action.target { return true }
            return false
        }
    }

    /// After a write to the cluster object: the node key follows the cluster's manager unlock
    /// key. The entry is durable already, so a failure here leaves the swarm changed and the
    /// key file as it was; the next change of the cluster tries again, as swarmkit does.
    private func followUnlockKey(_ state: inout State, now: Date) throws {
        guard let view = state.view, let cluster = view.cluster else { return }
        let follower = NodeKeyFollower(directory: directory, fips: state.fips)
        let outcome: NodeKeyFollower.Outcome
        do {
            outcome = try follower.follow(cluster, from: state.nodeKeyKEK, at: now)
        } catch {
            throw ManagerError.nodeKeyNotFollowed(path: directory.nodeKey.path, reason: "\(error)")
        }
        guard case .rewritten(let key, let aside) = outcome else { return }
        state.nodeKeyKEK = key
        state.view = state.view?.replacing(unlockKey: key)
        // Never the key itself: only that it changed and where the previous file went.
        logger.notice(
            key == nil ? "autolock is off: the node key is stored in the clear" : "the node key is encrypted with the swarm's new unlock key",
            metadata: ["file": "\(directory.nodeKey.path)", "previous": "\(aside ?? "-")"])
    }

    /// swarmkit cuts a snapshot once the log has grown by the cluster's snapshot interval
    /// (10 000 entries unless the cluster spec says otherwise).
    private func snapshotIfDue(_ state: inout State, box: LeaderLogBox) throws {
        guard let view = state.view else { return }
        let configured = view.cluster?.spec.raft.snapshotInterval ?? 0
        let interval = configured > 0 ? configured : 10_000
        guard box.log.lastIndex - box.log.snapshotIndex >= interval else { return }
        do {
            try box.log.snapshot(store: view.store, membership: view.membership, voters: state.voters)
            state.view = view.replacing(snapshotIndex: box.log.snapshotIndex)
        } catch {
            // The entries are durable; a snapshot is only a shortcut for the next boot.
            logger.warning("could not write a snapshot; the log keeps everything", metadata: ["error": "\(error)"])
        }
    }
}

/// Holds the noncopyable log so the lock-protected state stays a plain value. Only ever
/// touched under the manager's lock, or by its last owner; its files close when it goes.
final class LeaderLogBox: @unchecked Sendable {
    var log: RaftLeaderLog

    init(_ log: consuming RaftLeaderLog) {
        self.log = log
    }

    func close() throws {
        try log.sync()
    }
}

extension ManagerView {
    func replacing(store: ObjectStore? = nil, commitIndex: UInt64? = nil, snapshotIndex: UInt64? = nil) -> ManagerView {
        ManagerView(
            store: store ?? self.store, membership: membership, clusterID: clusterID, selfNodeID: selfNodeID,
            selfRaftID: selfRaftID, selfAddr: selfAddr, term: term, commitIndex: commitIndex ?? self.commitIndex,
            snapshotIndex: snapshotIndex ?? self.snapshotIndex, readOnly: readOnly, unlockKey: unlockKey,
            rootCACertificatePEM: rootCACertificatePEM)
    }

    func replacing(unlockKey: UnlockKey?) -> ManagerView {
        ManagerView(
            store: store, membership: membership, clusterID: clusterID, selfNodeID: selfNodeID, selfRaftID: selfRaftID,
            selfAddr: selfAddr, term: term, commitIndex: commitIndex, snapshotIndex: snapshotIndex, readOnly: readOnly,
            unlockKey: unlockKey, rootCACertificatePEM: rootCACertificatePEM)
    }
}
