import Foundation
import SwarmFormats
import SwarmProto

/// The durable side of a single-voter raft leader: the WAL this node appends to and the
/// snapshots it cuts, in the exact records etcd's raft and swarmkit would write.
///
/// With one voter, raft commits an entry as soon as it is on this node's disk, so every append
/// is one WAL save of the entry with a hard state whose commit covers it, synced before the
/// caller hears back.
public struct RaftLeaderLog: ~Copyable {
    public let directory: StateDirectory
    public let layout: RaftLayout
    /// nil when the raft data is stored in the clear (the old `wal-v3` layout).
    let cipher: RaftCipher?
    public let selfRaftID: UInt64
    private var wal: WALWriter
    public private(set) var term: UInt64
    public private(set) var lastIndex: UInt64
    public private(set) var snapshotIndex: UInt64

    /// Opens the WAL for appending and wins the election a lone voter always wins: term + 1,
    /// the vote for itself, and the leader's empty entry at the new term. Committing that
    /// entry commits whatever the previous leader left uncommitted, as it does in raft.
    public static func open(directory: StateDirectory, log: RaftLog, cipher: RaftCipher?, selfRaftID: UInt64) throws -> RaftLeaderLog {
        var leader = try prepare(directory: directory, log: log, cipher: cipher, selfRaftID: selfRaftID)
        try leader.beginTerm()
        return leader
    }

    /// `open` without the election: the segments locked and read, ready to append, nothing
    /// appended yet, so the caller can still decide not to lead (`beginTerm` is the election).
    public static func prepare(directory: StateDirectory, log: RaftLog, cipher: RaftCipher?, selfRaftID: UInt64) throws -> RaftLeaderLog {
        guard let layout = directory.raftLayout else { throw StateDirectoryError.noWAL(path: directory.raftDirectory.path) }
        let wal = try WALWriter.open(
            directory: directory.walDirectory(layout), at: WALStart(index: log.snapshotIndex, term: log.snapshotTerm))
        return RaftLeaderLog(
            directory: directory, layout: layout, cipher: layout.isEncrypted ? cipher : nil, selfRaftID: selfRaftID,
            wal: wal, term: max(log.hardState.term, log.lastTerm) + 1, lastIndex: log.lastIndex,
            snapshotIndex: log.snapshotIndex)
    }

    /// The leader's empty entry at its new term, synced.
    public mutating func beginTerm() throws {
        try append(payload: Data())
    }

    private init(
        directory: StateDirectory, layout: RaftLayout, cipher: RaftCipher?, selfRaftID: UInt64, wal: consuming WALWriter,
        term: UInt64, lastIndex: UInt64, snapshotIndex: UInt64
    ) {
        self.directory = directory
        self.layout = layout
        self.cipher = cipher
        self.selfRaftID = selfRaftID
        self.wal = wal
        self.term = term
        self.lastIndex = lastIndex
        self.snapshotIndex = snapshotIndex
    }

    public var commitIndex: UInt64 { lastIndex }

    /// Appends one normal entry carrying `request` and returns its index once it is durable.
    @discardableResult
    public mutating func append(_ request: SwarmInternalRaftRequest) throws -> UInt64 {
        try append(payload: try request.serializedBytes())
    }

    @discardableResult
    private mutating func append(payload: Data) throws -> UInt64 {
        var entry = RaftEntry()
        entry.type = .entryNormal
        entry.term = term
        entry.index = lastIndex + 1
        // swarmkit encrypts every payload, the leader's empty one included.
        if let cipher {
            entry.data = try cipher.encryptSerialized(payload)
        } else if !payload.isEmpty {
            entry.data = payload
        }
        var state = RaftHardState()
        state.term = term
        state.vote = selfRaftID
        state.commit = entry.index
        try wal.save(hardState: state, entries: [entry])
        lastIndex = entry.index
        return entry.index
    }

    /// Cuts a snapshot at the last index holding `store` and `membership`, as swarmkit does
    /// once the log has grown by the cluster's snapshot interval: the WAL's snapshot record
    /// first, then the snapshot file. Older snapshots and segments are left in place; swarmkit
    /// collects them itself, and a rescue tool removes nothing.
    public mutating func snapshot(store: ObjectStore, membership: RaftMembership, voters: [UInt64]) throws {
        let payload = try SnapshotPayload.make(store: store, membership: membership)
        var conf = RaftConfState()
        conf.voters = voters.sorted()
        var metadata = RaftSnapshotMetadata()
        metadata.index = lastIndex
        metadata.term = term
        metadata.confState = conf
        var snapshot = RaftSnapshot()
        snapshot.data = try cipher.map { try $0.encryptSerialized(payload) } ?? payload
        snapshot.metadata = metadata
        var record = WALSnapshot()
        record.index = lastIndex
        record.term = term
        record.confState = conf
        try wal.saveSnapshot(record)
        let snapshots = directory.snapshotDirectory(layout)
        if (try FileSync.entry(snapshots.path)) == .missing {
            try FileSync.makeDirectory(snapshots.path, mode: 0o700)
        }
        try SnapshotWriter(directory: snapshots).save(snapshot)
        snapshotIndex = lastIndex
    }

    /// Flushes and syncs; the segment files close, releasing their locks, when the log is
    /// dropped.
    public mutating func sync() throws {
        try wal.sync()
    }
}
