import Foundation
import SwarmFormats
import SwarmProto

/// Writes a complete, new state directory from a manager's loaded state: the node's files
/// (certificates, `state.json`, …) copied unchanged, and a raft directory written from
/// scratch with `WALWriter` and `SnapshotWriter`.
///
/// The new folder is built under a hidden sibling name, synced, and renamed into place only
/// when complete; the source is only ever read.
public struct StateRewriter: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// One snapshot at the last index holding the replayed store and membership, and a
        /// WAL that starts there. Entries not yet committed become part of the snapshot: that
        /// is the state `inspect` and `dump` show, and the one a lone restored manager would
        /// commit anyway.
        case compact
        /// The original snapshot and every entry after it, unchanged, with the original hard
        /// state: the same log in fresh files.
        case preserve
    }

    /// How raft payloads are stored in the output.
    public enum Output: Sendable {
        /// swarmkit's layout (`wal-v3-encrypted`): payloads written with `cipher`.
        case encrypted(RaftCipher)
        /// The unencrypted layout swarm-rafttool reads (`wal`/`snap`), payloads in the clear.
        case plaintext

        public var layout: RaftLayout {
            switch self {
            case .encrypted: .encrypted
            case .plaintext: .legacy
            }
        }

        /// Stored form of a payload. swarmkit encrypts every payload, empty ones included;
        /// in the clear an empty payload stays empty.
        func store(_ plaintext: Data) throws -> Data {
            switch self {
            case .encrypted(let cipher): try cipher.encryptSerialized(plaintext)
            case .plaintext: plaintext
            }
        }
    }

    /// A `.preserve` copy cut back to an earlier entry (a rewind): entries after `index` are
    /// left out and `hardState` is written instead of the log's own.
    public struct Limit: Sendable {
        public let index: UInt64
        public let hardState: RaftHardState

        public init(index: UInt64, hardState: RaftHardState) {
            self.index = index
            self.hardState = hardState
        }
    }

    /// Entries are handed to the WAL in saves of about this size, bounding memory.
    static let batchBytes = 4 << 20

    public let source: StateDirectory
    public let log: RaftLog
    /// The replayed state; required for `.compact`.
    public let cluster: ClusterState?

    public init(source: StateDirectory, log: RaftLog, cluster: ClusterState?) {
        self.source = source
        self.log = log
        self.cluster = cluster
    }

    /// What was written.
    public struct Summary: Sendable {
        public let target: String
        public let mode: Mode
        public let layout: RaftLayout
        /// The snapshot the new log starts from (nil when there is none).
        public let snapshotIndex: UInt64?
        public let snapshotTerm: UInt64?
        public let entries: Int
        public let hardState: RaftHardState
        /// Source files that are neither files, folders nor symlinks, left out of the copy.
        public let skipped: [String]
    }

    /// Writing a copy into the folder it is made from would copy the copy into itself.
    static func refuseTargetInside(_ source: StateDirectory, target: StateDirectory) throws {
        let resolvedSource = source.root.resolvingSymlinksInPath().path
        let resolvedTarget = target.root.deletingLastPathComponent().resolvingSymlinksInPath()
            .appendingPathComponent(target.root.lastPathComponent).path
        if resolvedTarget == resolvedSource || resolvedTarget.hasPrefix(resolvedSource + "/") {
            throw RewriteError.targetInsideSource(path: target.path)
        }
    }

    /// `limit` only applies to `.preserve`: a compact snapshot is made from the whole log.
    public func write(to target: StateDirectory, mode: Mode, output: Output, limit: Limit? = nil) throws -> Summary {
        precondition(limit == nil || mode == .preserve, "a limit needs .preserve")
        try Self.refuseTargetInside(source, target: target)
        let staged = try StagedDirectory(target: target.path)
        do {
            let skipped = try TreeCopy.copyContents(of: source.path, into: staged.path, excluding: ["raft"])
            let directory = StateDirectory(path: staged.path)
            try FileSync.makeDirectory(directory.raftDirectory.path, mode: 0o700)
            let summary = try writeRaft(
                into: directory, mode: mode, output: output, target: target, skipped: skipped, limit: limit)
            try FileSync.syncDirectory(directory.raftDirectory.path)
            try staged.commit()
            return summary
        } catch {
            staged.abandon()
            throw error
        }
    }

    /// Replaces the raft folder of `directory` — a staging copy no daemon or other command
    /// sees — with a `.compact` one made from this rewriter's log and `cluster`. This is how a
    /// manager's own address changes (FORMAT.md §7): swarmkit takes it from the snapshot's
    /// membership, never from a conf change for itself, so the new address must sit in a
    /// snapshot at the last index with no entry after it that registers this node again.
    /// The replaced raft folder is removed: it is a copy, and the folder it was copied from is
    /// what the caller keeps aside.
    public func compactInPlace(_ directory: StateDirectory, output: Output) throws -> Summary {
        let scratch = StateDirectory(path: (directory.path as NSString).deletingLastPathComponent
            + "/.\((directory.path as NSString).lastPathComponent).compact-\(UUID().uuidString.prefix(8).lowercased())")
        try FileSync.makeDirectory(scratch.path, mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        try FileSync.makeDirectory(scratch.raftDirectory.path, mode: 0o700)
        let summary = try writeRaft(into: scratch, mode: .compact, output: output, target: directory, skipped: [])
        try FileSync.syncDirectory(scratch.raftDirectory.path)
        try FileSync.rename(directory.raftDirectory.path, to: scratch.path + "/raft.replaced")
        try FileSync.rename(scratch.raftDirectory.path, to: directory.raftDirectory.path)
        try FileSync.syncDirectory(directory.path)
        return summary
    }

    private func writeRaft(
        into directory: StateDirectory, mode: Mode, output: Output, target: StateDirectory, skipped: [String],
        limit: Limit? = nil
    ) throws -> Summary {
        guard let metadata = log.wal.metadata else {
            throw RewriteError.noMetadata(path: source.walDirectory(log.layout).path)
        }
        let layout = output.layout
        try FileSync.makeDirectory(directory.snapshotDirectory(layout).path, mode: 0o700)
        var wal = try WALWriter.create(directory: directory.walDirectory(layout), metadata: metadata)
        let snapshots = SnapshotWriter(directory: directory.snapshotDirectory(layout))
        let start: (index: UInt64, term: UInt64)?
        var entries = 0
        let hardState: RaftHardState
        switch mode {
        case .compact:
            guard let cluster else { throw RewriteError.noClusterState(path: source.path) }
            hardState = compactHardState(voters: cluster.voters)
            if log.lastIndex > 0 {
                let snapshot = try newSnapshot(cluster, output: output)
                // swarmkit's order: the WAL's snapshot record first, then the file.
                try wal.saveSnapshot(Self.walSnapshot(snapshot.metadata))
                try snapshots.save(snapshot)
                start = (snapshot.metadata.index, snapshot.metadata.term)
            } else {
                start = nil
            }
            try wal.save(hardState: hardState, entries: [])
        case .preserve:
            if let loaded = log.snapshot {
                try wal.saveSnapshot(Self.walSnapshot(loaded.snapshot.metadata))
                try snapshots.save(try convertedSnapshot(loaded, output: output))
                start = (loaded.index, loaded.term)
            } else {
                start = nil
            }
            hardState = limit?.hardState ?? log.hardState
            entries = try copyEntries(into: &wal, output: output, upTo: limit?.index ?? .max, hardState: hardState)
        }
        try wal.close()
        return Summary(
            target: target.path, mode: mode, layout: layout, snapshotIndex: start?.index, snapshotTerm: start?.term,
            entries: entries, hardState: hardState, skipped: skipped)
    }

    /// The hard state that goes with a snapshot at the last index: raft's invariants (term ≥
    /// every entry's, commit ≤ last index, vote a member or none) with everything committed.
    func compactHardState(voters: [UInt64]) -> RaftHardState {
        var state = RaftHardState()
        state.term = max(log.hardState.term, log.lastTerm)
        state.vote = voters.contains(log.hardState.vote) ? log.hardState.vote : 0
        state.commit = log.lastIndex
        return state
    }

    private func newSnapshot(_ cluster: ClusterState, output: Output) throws -> RaftSnapshot {
        let payload = try SnapshotPayload.make(store: cluster.store, membership: cluster.membership)
        var conf = RaftConfState()
        // raft reports voters sorted, and that is how swarmkit's snapshots hold them.
        conf.voters = cluster.voters.sorted()
        var metadata = RaftSnapshotMetadata()
        metadata.confState = conf
        metadata.index = log.lastIndex
        metadata.term = log.lastTerm
        var snapshot = RaftSnapshot()
        snapshot.data = try output.store(payload)
        snapshot.metadata = metadata
        return snapshot
    }

    private func convertedSnapshot(_ loaded: LoadedSnapshot, output: Output) throws -> RaftSnapshot {
        var snapshot = loaded.snapshot
        if !keepsStoredBytes(output), let payload = log.snapshotPayload {
            snapshot.data = try output.store(payload)
        }
        return snapshot
    }

    /// The log's entries after the snapshot, in saves of `batchBytes`, the last one carrying
    /// the hard state (as swarmkit's WAL migration saves them in one go).
    private func copyEntries(
        into wal: inout WALWriter, output: Output, upTo last: UInt64, hardState: RaftHardState
    ) throws -> Int {
        var batch: [MarshaledEntry] = []
        var batchSize = 0
        var count = 0
        func add(_ entry: MarshaledEntry) throws {
            batch.append(entry)
            batchSize += entry.bytes.count
            count += 1
            if batchSize >= Self.batchBytes {
                try wal.save(hardState: RaftHardState(), marshaledEntries: batch)
                batch.removeAll(keepingCapacity: true)
                batchSize = 0
            }
        }
        if keepsStoredBytes(output) {
            for stored in log.entries where stored.index <= last { try add(log.wal.marshaledEntry(stored)) }
        } else {
            try log.forEachEntry(in: 0...last) { entry in
                var raw = RaftEntry()
                raw.index = entry.index
                raw.term = entry.term
                raw.type = entry.type
                let data = try output.store(entry.payload)
                if !data.isEmpty { raw.data = data }
                try add(MarshaledEntry(raw))
            }
        }
        try wal.save(hardState: hardState, marshaledEntries: batch)
        return count
    }

    /// Whether payloads can be written back as stored: same form in and out (the key file is
    /// copied unchanged, so an encrypted payload still opens with the node's DEK).
    private func keepsStoredBytes(_ output: Output) -> Bool {
        log.layout.isEncrypted == output.layout.isEncrypted
    }

    static func walSnapshot(_ metadata: RaftSnapshotMetadata) -> WALSnapshot {
        var snapshot = WALSnapshot()
        snapshot.index = metadata.index
        snapshot.term = metadata.term
        snapshot.confState = metadata.confState
        return snapshot
    }
}
