import Foundation
import SwarmFormats
import SwarmHistory
import SwarmNode
import SwarmProto
import SwarmStore

/// What rewinding one manager's state to index N changes, worked out without changing
/// anything: the entries after N that go (conf changes among them), the hard state that goes
/// with a log ending at N, and what the store loses.
public struct RewindPlan: Sendable {
    public struct DroppedConfChange: Sendable {
        public let index: UInt64
        public let type: RaftConfChangeType
        public let raftID: UInt64
    }

    public let index: UInt64
    /// The term of entry N (of the snapshot when N is the snapshot's index).
    public let term: UInt64
    public let snapshotIndex: UInt64
    public let lastIndex: UInt64
    /// The hard state as found.
    public let hardState: RaftHardState
    /// Voters right after entry N: the snapshot's conf state moved forward by conf changes up to N.
    public let voters: [UInt64]
    public let droppedConfChanges: [DroppedConfChange]
    /// What the rewind does to the store: from the store now to the store at N (`added`
    /// objects come back, `removed` ones go, `changed` fields return to their old values).
    public let changes: StoreDiff
    /// Things the operator must know before starting a manager on the result.
    public let warnings: [String]

    public var droppedEntries: UInt64 { lastIndex - index }

    /// A log that ends at N, everything in it committed: commit N, the old term (raft's terms
    /// never go back, and it is ≥ every kept entry's), the vote only if it is still a voter.
    public var newHardState: RaftHardState {
        var state = RaftHardState()
        state.term = max(hardState.term, term)
        state.vote = voters.contains(hardState.vote) ? hardState.vote : 0
        state.commit = index
        return state
    }

    /// The folder already is that state: nothing after N, everything committed.
    public var isNoOp: Bool { index == lastIndex && newHardState == hardState }

    public init(_ node: LoadedNode, index: UInt64, source: String? = nil) throws {
        guard let log = node.raft else { throw StateDirectoryError.worker(path: node.directory.path) }
        let atN = try node.state(at: index, source: source)
        self.index = index
        snapshotIndex = log.snapshotIndex
        lastIndex = log.lastIndex
        hardState = log.hardState
        voters = atN.voters.sorted()
        var term = log.snapshotTerm
        var dropped: [DroppedConfChange] = []
        for entry in log.entries where entry.index == index { term = entry.term }
        if index < log.lastIndex {
            try log.forEachEntry(in: (index + 1)...log.lastIndex) { entry in
                guard entry.type == .entryConfChange else { return }
                let change = try Replayer.decodeConfChange(entry)
                dropped.append(DroppedConfChange(index: entry.index, type: change.type, raftID: change.nodeID))
            }
        }
        self.term = term
        droppedConfChanges = dropped
        let now = try node.cluster.map { $0.store } ?? Replayer.replay(log, localMember: node.localMember).store
        changes = try StoreDiff.compare(now, atN.store)
        var warnings: [String] = []
        if let local = node.localMember, !atN.voters.contains(local.raftID) {
            warnings.append(
                "this manager (\(raftIDString(local.raftID))) was not a voter at index \(index); start it only after --force-new-cluster")
        }
        if log.hardState.commit < index {
            warnings.append("entries \(log.hardState.commit + 1)…\(index) were never committed by the cluster; the rewound state commits them")
        }
        self.warnings = warnings
    }
}
