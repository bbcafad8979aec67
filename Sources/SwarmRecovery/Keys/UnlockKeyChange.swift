import Foundation
import Logging
import SwarmFormats
import SwarmConventions
import SwarmNode
import SwarmProto
import SwarmStateReplacement
import SwarmStore

/// `swarmsafe key rotate | lock | unlock`, offline: the node key re-encrypted under the new
/// unlock key (or stored in the clear), and the cluster object brought in line through a log
/// entry, as the running cluster does for `docker swarm unlock-key --rotate` and
/// `docker swarm update --autolock=true|false`.
///
/// Only for a manager that is the cluster's only voter (a recovered or single-manager
/// cluster): a log entry written here would otherwise exist on this manager alone.
public struct UnlockKeyChange {
    public enum Operation: String, Sendable {
        /// A new unlock key for an autolocked swarm.
        case rotate
        /// Turn autolock on, with a new unlock key.
        case lock
        /// Turn autolock off: the node key is stored in the clear.
        case unlock
    }

    public struct Result: Sendable {
        public let operation: Operation
        /// The new unlock key (nil after `unlock`). A secret: print it only where asked.
        public let newKey: UnlockKey?
        /// The raft index of the cluster update.
        public let index: UInt64
        public let previousMovedTo: String
    }

    public let directory: StateDirectory
    public let currentKey: UnlockKey?
    public let operation: Operation
    public let newKey: UnlockKey?
    public let clock: () -> Date

    /// `newKey` is generated for `rotate` and `lock` when not given.
    public init(
        directory: StateDirectory, currentKey: UnlockKey?, operation: Operation, newKey: UnlockKey? = nil,
        clock: @escaping () -> Date = Date.init
    ) {
        self.directory = directory
        self.currentKey = currentKey
        self.operation = operation
        self.newKey = operation == .unlock ? nil : (newKey ?? UnlockKey.random())
        self.clock = clock
    }

    /// Checks what `run` would refuse, changing nothing: a holder, the current key, the
    /// autolock state, other voters.
    public func check() throws {
        let holders = try StateDirectoryHolders.find(in: directory.path)
        guard holders.isEmpty else { throw ReplacementError.held(path: directory.path, holders: holders, use: .keyChange) }
        _ = try loadChecked(directory)
    }

    /// Changes the key. `keepNewKey` receives the new key once every refusal is behind us
    /// (holders, our lock, the current key, autolock state, other voters) and the changed
    /// copy reads back, and before the folder is replaced: whatever refuses or fails first
    /// leaves no key behind that opens nothing (and blocks the retry, as a key file is never
    /// overwritten), and a key that can't be kept stops the change before it happens.
    public func run(keepNewKey: (UnlockKey) throws -> Void = { _ in }) throws -> Result {
        let now = clock()
        let replacement = StateDirectoryReplacement(target: directory.path, use: .keyChange, now: now)
        let outcome = try replacement.run { staging in
            .install(try change(copy: staging.directory, at: now, keepNewKey: keepNewKey))
        }
        return Result(operation: operation, newKey: newKey, index: outcome.value, previousMovedTo: outcome.previousMovedTo ?? "")
    }

    /// The change made in `copy`, a fresh copy of the folder taken under our lock; returns the
    /// index of the cluster update.
    private func change(copy: StateDirectory, at now: Date, keepNewKey: (UnlockKey) throws -> Void) throws -> UInt64 {
        let node = try loadChecked(directory)
        guard let raft = node.raft, let keys = node.keys, let local = node.localMember else {
            throw StateDirectoryError.worker(path: directory.path)
        }
        _ = try TreeCopy.copyContents(of: directory.path, into: copy.path)

        // The log first: a copy whose key file still has the old KEK is harmless if we stop
        // here, and the cluster's version at this entry is the KEK version swarmkit records.
        let cipher = raft.layout.isEncrypted ? try node.raftCipher() : nil
        var log = try RaftLeaderLog.open(directory: copy, log: raft, cipher: cipher, selfRaftID: local.raftID)
        var transaction = StoreTransaction(store: node.cluster?.store ?? ObjectStore(), version: log.commitIndex, now: now)
        guard case .cluster(var cluster)? = try transaction.store.objects(.cluster).first?.decoded() else {
            throw RecoveryError.noClusterObject
        }
        cluster.spec.encryptionConfig.autoLockManagers = newKey != nil
        if let newKey {
            var key = SwarmEncryptionKey()
            key.subsystem = ClusterDefaults.managerUnlockKeySubsystem
            key.key = newKey.kek.bytes
            cluster.unlockKeys = [key]
        } else {
            cluster.unlockKeys = []
        }
        try transaction.update(.cluster(cluster))
        let index = try log.append(transaction.request)
        try log.sync()

        // The whole previous folder is kept aside below, so the copy's key file needs no
        // copy of its own.
        try NodeKeyRewrite.write(
            keys, to: copy.nodeKey.path, kek: newKey, kekVersion: transaction.version, fips: node.isFIPS)

        try verify(copy, index: index)
        if let newKey { try keepNewKey(newKey) }
        return index
    }

    private func loadChecked(_ directory: StateDirectory) throws -> LoadedNode {
        let node = try NodeLoader(unlockKey: currentKey).loadManager(directory, replay: true)
        guard let keys = node.keys, let local = node.localMember, let cluster = node.cluster else {
            throw StateDirectoryError.worker(path: directory.path)
        }
        switch (operation, keys.isLocked) {
        case (.lock, true): throw UnlockKeyChangeError.alreadyLocked(path: directory.nodeKey.path)
        case (.rotate, false), (.unlock, false): throw UnlockKeyChangeError.notLocked(path: directory.nodeKey.path)
        default: break
        }
        let others = cluster.voters.filter { $0 != local.raftID }
        guard others.isEmpty else {
            throw UnlockKeyChangeError.otherManagers(path: directory.path, count: others.count)
        }
        return node
    }

    /// The copy must open with the new key (or none) and its cluster object must agree.
    private func verify(_ copy: StateDirectory, index: UInt64) throws {
        let node = try NodeLoader(unlockKey: newKey).loadManager(copy, replay: true)
        guard node.keys?.isLocked == (newKey != nil), node.raft?.lastIndex == index,
            case .cluster(let cluster)? = try node.cluster?.store.objects(.cluster).first?.decoded(),
            cluster.spec.encryptionConfig.autoLockManagers == (newKey != nil),
            cluster.unlockKeys.map(\.key) == (newKey.map { [$0.kek.bytes] } ?? [])
        else {
            throw RecoveryError.resultInconsistent(path: copy.path, reason: "the key change does not read back")
        }
    }
}

public enum UnlockKeyChangeError: Error, Sendable, Equatable, CustomStringConvertible {
    case alreadyLocked(path: String)
    case notLocked(path: String)
    case otherManagers(path: String, count: Int)

    public var description: String {
        switch self {
        case .alreadyLocked(let path):
            "\(path): the swarm is already autolocked; use `swarmsafe key rotate` for a new unlock key"
        case .notLocked(let path):
            "\(path): the swarm is not autolocked; use `swarmsafe key lock` to turn autolock on"
        case .otherManagers(let path, let count):
            "\(path): the cluster has \(count) other voting manager(s); change autolock on the running cluster "
                + "(docker swarm update --autolock, docker swarm unlock-key --rotate), or recover --force-new-cluster first"
        }
    }
}
