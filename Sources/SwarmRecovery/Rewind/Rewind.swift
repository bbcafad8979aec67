import Foundation
import Logging
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmStateReplacement
import SwarmStore

/// `swarmsafe recover --rewind-to N` and `restore --at-index N`: a manager's state as it was
/// right after entry N (undoing, say, a `docker service rm`).
///
/// The new state is written in full, never patched: the node's files copied, the snapshot
/// copied, and a fresh WAL with the original metadata holding the entries up to N as their
/// stored (encrypted) bytes and a hard state that commits N. It is read back and must be
/// exactly that before it replaces anything; the previous folder is kept as
/// `<dir>.swarmsafe-old-<time>`.
public struct Rewind {
    public let directory: StateDirectory
    public let index: UInt64
    public let unlockKey: UnlockKey?
    /// Also make the rewound manager the only member of a new cluster.
    public let forceNewCluster: Bool
    /// What the rescue is asked for beyond swarmkit's own (with `forceNewCluster`).
    public let rescueOptions: ForceNewClusterOptions
    public let logger: Logger
    public let clock: () -> Date

    public init(
        directory: StateDirectory, index: UInt64, unlockKey: UnlockKey?, forceNewCluster: Bool = false,
        rescueOptions: ForceNewClusterOptions = ForceNewClusterOptions(), logger: Logger = Logger(label: "swarmsafe.rewind"), clock: @escaping () -> Date = Date.init
    ) {
        self.directory = directory
        self.index = index
        self.unlockKey = unlockKey
        self.forceNewCluster = forceNewCluster
        self.rescueOptions = rescueOptions
        self.logger = logger
        self.clock = clock
    }

    public struct Result: Sendable {
        public let plan: RewindPlan
        /// With `forceNewCluster`: what that changed after the rewind.
        public let recovery: ForceNewClusterPlan?
        /// Where the previous folder went; nil when nothing changed.
        public let previousMovedTo: String?
    }

    public func plan() throws -> RewindPlan {
        try RewindPlan(NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: true), index: index)
    }

    /// Rewinds the folder in place (through a staged copy and an atomic swap).
    public func run() throws -> Result {
        let now = clock()
        let replacement = StateDirectoryReplacement(target: directory.path, use: .rewind, now: now, logger: logger)
        let outcome = try replacement.run { staging -> StateDirectoryReplacement.Decision<(RewindPlan, ForceNewClusterPlan?)> in
            let node = try NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: true)
            let plan = try RewindPlan(node, index: index)
            if plan.isNoOp {
                guard forceNewCluster else { return .unchanged((plan, nil)) }
                // Nothing to cut: the rescue alone, on a copy.
                let rescue = try ForceNewClusterPlan(node, options: rescueOptions)
                guard !rescue.isNoOp else { return .unchanged((plan, rescue)) }
                let skipped = try TreeCopy.copyContents(of: directory.path, into: staging.path)
                for path in skipped { logger.warning("not a file, folder or symlink; not carried over", metadata: ["path": "\(path)"]) }
            } else {
                let summary = try Self.write(node, plan: plan, to: staging.directory, unlockKey: unlockKey)
                for path in summary.skipped { logger.warning("not a file, folder or symlink; not carried over", metadata: ["path": "\(path)"]) }
            }
            var recovery: ForceNewClusterPlan?
            if forceNewCluster {
                recovery = try ForceNewCluster.applyInPlace(
                    to: staging.directory, unlockKey: unlockKey, options: rescueOptions, now: now)
            }
            return .install((plan, recovery))
        }
        return Result(plan: outcome.value.0, recovery: outcome.value.1, previousMovedTo: outcome.previousMovedTo)
    }

    /// Rewinds a folder nobody else can see yet (a restore's staging folder): the rewound
    /// raft folder is written beside it and takes the place of the unpacked one, which is a
    /// copy of what the archive still holds and goes away with the scratch folder.
    @discardableResult
    /// `source` names what the folder came from (the archive) in messages.
    public static func applyInPlace(
        to directory: StateDirectory, index: UInt64, unlockKey: UnlockKey?, source: String? = nil
    ) throws -> RewindPlan {
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: true)
        let plan = try RewindPlan(node, index: index, source: source)
        guard !plan.isNoOp else { return plan }
        let parent = (directory.path as NSString).deletingLastPathComponent
        let scratch = try WorkDirectory(in: parent, name: directory.root.lastPathComponent, purpose: "rewind")
        let rewound = StateDirectory(path: scratch.path + "/rewound")
        try write(node, plan: plan, to: rewound, unlockKey: unlockKey)
        try FileSync.rename(directory.raftDirectory.path, to: scratch.path + "/unpacked-raft")
        try FileSync.rename(rewound.raftDirectory.path, to: directory.raftDirectory.path)
        try FileSync.syncDirectory(directory.path)
        try check(directory, plan: plan, unlockKey: unlockKey)
        return plan
    }

    /// Writes the rewound state as a new folder at `target` and checks it reads back as planned.
    @discardableResult
    static func write(
        _ node: LoadedNode, plan: RewindPlan, to target: StateDirectory, unlockKey: UnlockKey?
    ) throws -> StateRewriter.Summary {
        guard let log = node.raft else { throw StateDirectoryError.worker(path: node.directory.path) }
        // The same layout as the source, so stored payloads are copied byte for byte; the
        // cipher is only there to satisfy the layout and is not used for them.
        let output: StateRewriter.Output = log.layout.isEncrypted ? .encrypted(try node.raftCipher()) : .plaintext
        let summary = try StateRewriter(source: node.directory, log: log, cluster: node.cluster).write(
            to: target, mode: .preserve, output: output,
            limit: StateRewriter.Limit(index: plan.index, hardState: plan.newHardState))
        try check(target, plan: plan, unlockKey: unlockKey)
        return summary
    }

    /// The copy must load as a manager whose log ends at N with the planned hard state.
    static func check(_ copy: StateDirectory, plan: RewindPlan, unlockKey: UnlockKey?) throws {
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(copy, replay: true)
        guard let log = node.raft else { throw StateDirectoryError.worker(path: copy.path) }
        guard log.lastIndex == plan.index, log.hardState == plan.newHardState, log.snapshotIndex == plan.snapshotIndex else {
            throw RewindError.resultInconsistent(
                path: copy.path,
                reason: "last index \(log.lastIndex), hard state term \(log.hardState.term) commit \(log.hardState.commit), snapshot \(log.snapshotIndex)")
        }
    }
}
