import Foundation
import SwarmFormats
import SwarmProto

/// What `repair` found in a manager's raft data and what it would keep, worked out without
/// changing anything: the damaged files, the newest good snapshot, the consecutive intact
/// entries after it, and the hard state that goes with them.
public struct RepairPlan: Sendable {
    public let stateDir: String
    /// Empty for a healthy folder.
    public let findings: [RepairFinding]
    /// The snapshot the salvaged state starts from; nil when it starts at the log's beginning.
    public let snapshot: SnapshotName?
    public let snapshotIndex: UInt64
    public let snapshotTerm: UInt64
    /// Entries kept after the snapshot.
    public let entries: Int
    /// Where the salvaged state ends.
    public let lastIndex: UInt64
    public let lastTerm: UInt64
    /// Intact entries that are not kept because an earlier one is unusable.
    public let droppedEntries: Int
    /// The first index not kept when the log is cut short; nil when nothing is cut.
    public let cutFromIndex: UInt64?
    /// The last hard state the WAL holds before any damage.
    public let hardStateBefore: RaftHardState
    public let hardStateAfter: RaftHardState

    let salvage: Salvage

    public var isHealthy: Bool { findings.isEmpty }

    /// The files the repaired folder leaves out or cuts short, relative to the state
    /// directory; each stays unchanged in the rollback copy.
    public var damagedFiles: [String] {
        var seen: Set<String> = []
        return findings.filter { $0.kind != .hardStateInconsistent && $0.kind != .walSnapshotRecordMissing }
            .map(\.file).filter { seen.insert($0).inserted }
    }
}

/// What the repaired raft directory is written from.
struct Salvage: Sendable {
    let log: RaftLog
    /// This node's raft member, the metadata of every segment.
    let metadata: Data
    /// Every intact snapshot file (the one the state starts from first), carried over as is.
    let snapshots: [LoadedSnapshot]
}
