import BackgroundCalls
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
/// Reads are served from immutable views and never wait for a write: the view lock is held
/// only to take or swap a view. Writes are serialized by a lock of their own, held across the
/// WAL append and its fsync; each write is durable before its view is published. Async
/// callers (the Engine API) run blocking work through `offload`, on the manager's own
/// thread, so it never occupies the concurrency pool.
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
    /// nil while the node key is still locked.
    private let published: Mutex<ManagerView?>
    private let writer: Mutex<Writer>
    /// Where `offload` runs blocking work: one thread, outside the concurrency pool.
    private let blockingQueue = DispatchQueue(label: "swarmsafe.manager.blocking", qos: .userInitiated)

    /// What only a writer touches, under `writer`.
    private struct Writer {
        var voters: [UInt64] = []
        var log: LeaderLogBox?
        var failure: String?
        /// The KEK the node key file is under now (nil: stored in the clear).
        var nodeKeyKEK: UnlockKey?
        var fips = false
        /// The last committed store's tasks, addresses and loads, built on the first write
        /// (a boot that only serves reads never pays for it) and moved on by each commit.
        var index: AllocationIndex?
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
        var view: ManagerView?
        var initial = Writer()
        do {
            (view, initial) = try Self.boot(directory, unlockKey: unlockKey, options: options)
        } catch KeyMaterialError.locked where unlockKey == nil {
            logger.notice("the node key is locked; waiting for the unlock key", metadata: ["dir": "\(directory.path)"])
        }
        published = Mutex(view)
        writer = Mutex(initial)
    }

    /// Whether the manager is waiting for its unlock key.
    public var isLocked: Bool { published.withLock { $0 == nil } }

    /// Opens a locked manager with its unlock key (booting it: a replay of the whole log);
    /// false when it was open already. Two unlocks at once boot it once: the second waits for
    /// the first and finds it open.
    @discardableResult
    public func unlock(_ key: UnlockKey) throws -> Bool {
        try writer.withLock { writer in
            guard isLocked else { return false }
            let (view, booted) = try Self.boot(directory, unlockKey: key, options: options)
            writer = booted
            published.withLock { $0 = view }
            return true
        }
    }

    /// The index the next write starts from (nil before the first write); for tests, which
    /// hold it against one built from the whole store.
    var allocationIndex: AllocationIndex? { writer.withLock { $0.index } }

    /// The manager as of its last commit.
    public func view() throws -> ManagerView {
        guard let view = published.withLock({ $0 }) else { throw ManagerError.locked }
        return view
    }

    /// Runs `work` (a write, an unlock: anything that waits on the disk) on the manager's own
    /// thread and waits for it without holding a thread of the concurrency pool.
    public func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            blockingQueue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs `body` as one store transaction, lets the orchestrator follow the services it
    /// touched, and commits the result as one raft entry. Nothing is visible or written when
    /// `body` throws. Blocks until the entry is durable: from async code, call it through
    /// `offload`.
    @discardableResult
    public func update<T: Sendable>(_ body: (inout StoreTransaction) throws -> T) throws -> T {
        try writer.withLock { writer -> T in
            let view = try view()
            guard !options.readOnly, let box = writer.log else { throw ManagerError.readOnly }
            if let failure = writer.failure { throw ManagerError.stopped(reason: failure) }
            let now = options.clock()
            var transaction = StoreTransaction(store: view.store, version: box.log.commitIndex, now: now)
            let result = try body(&transaction)
            let nodesChanged = transaction.actions.contains { $0.target.map(\.kind) == .node }
            // A node change (drain, labels) can move any service's tasks.
            let touched = nodesChanged
                ? Set(transaction.store.objects(.service).map(\.id)) : Self.servicesTouched(by: transaction)
            let committed = try writer.index ?? AllocationIndex(store: view.store, decoded: view.decoded)
            writer.index = committed
            var orchestrator = Orchestrator(now: now, decoded: view.decoded)
            try orchestrator.reconcile(
                &transaction, services: touched,
                index: committed.applying(transaction, from: view.store, decoded: view.decoded))
            try AllocationPass(selfNodeID: view.selfNodeID, now: now, decoded: view.decoded)
                .run(
                    &transaction, index: committed.applying(transaction, from: view.store, decoded: view.decoded),
                    services: touched, nodesChanged: nodesChanged)
            guard !transaction.isEmpty else { return result }
            let nextIndex = try committed.applying(transaction, from: view.store, decoded: view.decoded)
            do {
                try box.log.append(transaction.request)
            } catch {
                // The WAL may hold part of a record now; only a fresh boot (which cuts a torn
                // tail) knows what is durable, so no further write is accepted.
                writer.failure = "writing to the log failed: \(error)"
                throw error
            }
            writer.index = nextIndex
            var next = view.replacing(store: transaction.store, commitIndex: box.log.commitIndex)
            published.withLock { $0 = next }
            if let snapshotted = snapshotIfDue(next, voters: writer.voters, box: box) {
                next = snapshotted
                published.withLock { $0 = next }
            }
            if Self.touchesCluster(transaction) { try followUnlockKey(&writer, view: next, now: now) }
            return result
        }
    }

    /// Stops accepting writes and closes the log, releasing its locks.
    public func close() throws {
        let box = writer.withLock { writer -> LeaderLogBox? in
            defer { writer.log = nil; writer.failure = writer.failure ?? "stopped" }
            return writer.log
        }
        try box?.close()
    }

    // MARK: boot

    private static func boot(_ directory: StateDirectory, unlockKey: UnlockKey?, options: Options) throws -> (ManagerView, Writer) {
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: false)
        guard let raft = node.raft else { throw StateDirectoryError.worker(path: directory.path) }
        guard let local = node.localMember else {
            throw StateDirectoryError.noWAL(path: directory.raftDirectory.path)
        }
        let cipher = !options.readOnly && raft.layout.isEncrypted ? try node.raftCipher() : nil
        let prepare = { @Sendable in LeaderLogBox(try RaftLeaderLog.prepare(directory: directory, log: raft, cipher: cipher, selfRaftID: local.raftID)) }
        // The leader's log is prepared (its segments locked and read again under the lock)
        // while the store is replayed from what was loaded: on a big swarm each is a third of
        // the boot. Nothing is appended before the voters are checked below; preparing only
        // zeroes the tail segment past its last record, which holds zeros already unless the
        // last record is torn, so a torn log is prepared after the check, as before.
        let prepared = !options.readOnly && raft.wal.tornTail == nil ? BackgroundCall(prepare) : nil
        let replay = Result { try Replayer.replay(raft, localMember: local) }
        // Awaited even when the replay failed, so that no lock it took outlives the boot.
        prepared?.wait()
        let cluster = try replay.get()
        let others = cluster.voters.filter { $0 != local.raftID }
        guard others.isEmpty else {
            throw ManagerError.otherVoters(path: directory.path, voters: others.sorted().map(raftIDString))
        }
        var box: LeaderLogBox?
        var commit = raft.hardState.commit
        var term = raft.hardState.term
        if !options.readOnly {
            let leader = try prepared?.value() ?? prepare()
            try leader.log.beginTerm()
            commit = leader.log.commitIndex
            term = leader.log.term
            box = leader
        }
        let member = cluster.membership.member(local.raftID)
        let view = ManagerView(
            store: cluster.store, membership: cluster.membership,
            clusterID: node.certificates?.node.clusterID ?? cluster.store.objects(.cluster).first?.id ?? "",
            selfNodeID: node.certificates?.node.nodeID ?? local.nodeID, selfRaftID: local.raftID,
            selfAddr: member?.addr ?? local.addr, term: term, commitIndex: commit,
            snapshotIndex: raft.snapshotIndex, readOnly: options.readOnly, unlockKey: unlockKey,
            // Only shown by `docker swarm ca`; the certificates were read (or warned about) on load.
            rootCACertificatePEM: try? Data(contentsOf: directory.rootCACertificate), decoded: DecodedObjectCache())
        return (view, Writer(
            voters: cluster.voters, log: box, failure: nil,
            nodeKeyKEK: node.keys?.isLocked == true ? unlockKey : nil, fips: node.isFIPS))
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
    private func followUnlockKey(_ writer: inout Writer, view: ManagerView, now: Date) throws {
        guard let cluster = view.cluster else { return }
        let follower = NodeKeyFollower(directory: directory, fips: writer.fips)
        let outcome: NodeKeyFollower.Outcome
        do {
            outcome = try follower.follow(cluster, from: writer.nodeKeyKEK, at: now)
        } catch {
            throw ManagerError.nodeKeyNotFollowed(path: directory.nodeKey.path, reason: "\(error)")
        }
        guard case .rewritten(let key, let aside) = outcome else { return }
        writer.nodeKeyKEK = key
        published.withLock { $0 = $0?.replacing(unlockKey: key) }
        // Never the key itself: only that it changed and where the previous file went.
        logger.notice(
            key == nil ? "autolock is off: the node key is stored in the clear" : "the node key is encrypted with the swarm's new unlock key",
            metadata: ["file": "\(directory.nodeKey.path)", "previous": "\(aside ?? "-")"])
    }

    /// swarmkit cuts a snapshot once the log has grown by the cluster's snapshot interval
    /// (10 000 entries unless the cluster spec says otherwise). The view with the new
    /// snapshot index, or nil when none was due or it could not be written.
    private func snapshotIfDue(_ view: ManagerView, voters: [UInt64], box: LeaderLogBox) -> ManagerView? {
        let configured = view.cluster?.spec.raft.snapshotInterval ?? 0
        let interval = configured > 0 ? configured : 10_000
        guard box.log.lastIndex - box.log.snapshotIndex >= interval else { return nil }
        do {
            try box.log.snapshot(store: view.store, membership: view.membership, voters: voters)
            return view.replacing(snapshotIndex: box.log.snapshotIndex)
        } catch {
            // The entries are durable; a snapshot is only a shortcut for the next boot.
            logger.warning("could not write a snapshot; the log keeps everything", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

/// Holds the noncopyable log so the writer's state stays a plain value. Only ever touched
/// under the manager's write lock, or by its last owner; its files close when it goes.
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
            rootCACertificatePEM: rootCACertificatePEM, decoded: decoded)
    }

    func replacing(unlockKey: UnlockKey?) -> ManagerView {
        ManagerView(
            store: store, membership: membership, clusterID: clusterID, selfNodeID: selfNodeID, selfRaftID: selfRaftID,
            selfAddr: selfAddr, term: term, commitIndex: commitIndex, snapshotIndex: snapshotIndex, readOnly: readOnly,
            unlockKey: unlockKey, rootCACertificatePEM: rootCACertificatePEM, decoded: decoded)
    }
}
