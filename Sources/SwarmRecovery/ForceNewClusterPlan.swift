import Foundation
import SwarmFormats
import SwarmProto
import SwarmSafeKit
import SwarmStore

/// What swarmkit's `--force-new-cluster` start would do to one manager's log (FORMAT.md §7),
/// worked out without changing anything: the uncommitted entries it drops, the voters it finds,
/// and the conf changes it appends to leave this node the only member.
public struct ForceNewClusterPlan: Sendable {
    public struct Member: Sendable, Equatable {
        public let raftID: UInt64
        public let nodeID: String?
        public let addr: String?
    }

    public let selfRaftID: UInt64
    public let selfNodeID: String?
    /// This node's raft address as its member record has it.
    public let selfAddr: String?
    /// The hard state as found.
    public let hardState: RaftHardState
    public let lastIndex: UInt64
    /// Voters after the committed log: the snapshot's conf state, then every committed conf
    /// change after it. Sorted, as swarmkit's `getIDs` sorts them.
    public let voters: [UInt64]
    /// Every voter but this node, in the order their `RemoveNode` entries are appended.
    public let removed: [Member]
    /// This node is not a voter and must add itself (swarmkit appends an `AddNode` then).
    public let addsSelf: Bool

    /// Entries after the commit index: raft never acknowledged them to a client, and
    /// swarmkit drops them before appending.
    public var droppedEntries: UInt64 { lastIndex > hardState.commit ? lastIndex - hardState.commit : 0 }

    /// Nothing to do: this node is already the only voter and the log holds nothing
    /// uncommitted.
    public var isNoOp: Bool { removed.isEmpty && !addsSelf && droppedEntries == 0 }

    /// The conf changes, at commit+1, commit+2, … in the term of the hard state, exactly as
    /// swarmkit builds them (ID 0; `AddNode` carries a RaftMember with only the raft ID).
    public var confChanges: [(index: UInt64, change: RaftConfChange)] {
        var result: [(UInt64, RaftConfChange)] = []
        var next = hardState.commit + 1
        for member in removed {
            var change = RaftConfChange()
            change.id = 0
            change.type = .confChangeRemoveNode
            change.nodeID = member.raftID
            result.append((next, change))
            next += 1
        }
        if addsSelf {
            var change = RaftConfChange()
            change.id = 0
            change.type = .confChangeAddNode
            change.nodeID = selfRaftID
            var member = SwarmRaftMember()
            member.raftID = selfRaftID
            change.context = (try? member.serializedBytes()) ?? Data()
            result.append((next, change))
        }
        return result
    }

    /// The hard state to leave on disk: what the recovered node would have written once it
    /// committed its own conf changes, so that a manager started *without* the flag applies
    /// them and is alone. The vote is kept only if it was for this node: any other voter is gone.
    public var newHardState: RaftHardState {
        var state = RaftHardState()
        state.term = hardState.term
        state.vote = hardState.vote == selfRaftID ? selfRaftID : 0
        state.commit = hardState.commit + UInt64(confChanges.count)
        return state
    }

    public init(_ node: LoadedNode) throws {
        guard let log = node.raft else { throw StateDirectoryError.worker(path: node.directory.path) }
        guard let local = node.localMember else { throw RecoveryError.noLocalMember(path: node.directory.path) }
        selfRaftID = local.raftID
        selfNodeID = node.certificates?.node.nodeID ?? local.nodeID
        selfAddr = local.addr.isEmpty ? nil : local.addr
        hardState = log.hardState
        lastIndex = log.lastIndex
        var voters = Set(log.snapshot?.snapshot.metadata.confState.voters ?? [])
        var known: [UInt64: SwarmRaftMember] = [:]
        for member in node.cluster?.membership.members ?? [] { known[member.raftID] = member }
        let commit = log.hardState.commit
        if commit > log.snapshotIndex {
            try log.forEachEntry(in: (log.snapshotIndex + 1)...commit) { entry in
                guard entry.type == .entryConfChange else { return }
                let change: RaftConfChange
                do {
                    change = try RaftConfChange(serializedBytes: entry.payload)
                } catch {
                    throw RecoveryError.undecodableConfChange(index: entry.index, reason: "\(error)")
                }
                switch change.type {
                case .confChangeAddNode: voters.insert(change.nodeID)
                case .confChangeRemoveNode: voters.remove(change.nodeID)
                default: break
                }
                if change.hasContext, let member = try? SwarmRaftMember(serializedBytes: change.context), member.raftID != 0 {
                    known[member.raftID] = member
                }
            }
        }
        self.voters = voters.sorted()
        removed = voters.sorted().filter { $0 != local.raftID }.map {
            Member(raftID: $0, nodeID: known[$0]?.nodeID, addr: known[$0]?.addr)
        }
        addsSelf = !voters.contains(local.raftID)
    }
}
