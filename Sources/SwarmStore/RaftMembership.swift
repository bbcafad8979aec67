import SwarmProto

/// Who is in the raft cluster: the snapshot's members and removed list, moved forward by the
/// conf changes in the log.
public struct RaftMembership: Sendable, Equatable {
    /// Active members by raft ID, in the order they joined.
    public private(set) var members: [SwarmRaftMember] = []
    /// Raft IDs that were removed and may never rejoin.
    public private(set) var removed: [UInt64] = []

    public init() {}

    public init(snapshot: SwarmClusterSnapshot) {
        members = snapshot.members
        removed = snapshot.removed
    }

    public func member(_ raftID: UInt64) -> SwarmRaftMember? {
        members.first { $0.raftID == raftID }
    }

    public var raftIDs: [UInt64] { members.map(\.raftID) }

    /// Applies a committed conf change the way the manager whose raft ID is `selfRaftID` does.
    /// An `UpdateNode` for that manager itself is ignored, as swarmkit ignores it: its own
    /// address comes from the snapshot's membership and `AddNode` records only (FORMAT.md §7),
    /// so an offline `UpdateNode` for itself would report an address Docker never uses.
    public mutating func apply(_ change: RaftConfChange, context: SwarmRaftMember?, selfRaftID: UInt64?) {
        switch change.type {
        case .confChangeAddNode, .confChangeAddLearnerNode:
            // A removed ID can never come back; swarmkit rejects such a change.
            guard !removed.contains(change.nodeID) else { return }
            var member = context ?? SwarmRaftMember()
            if member.raftID == 0 { member.raftID = change.nodeID }
            upsert(member)
        case .confChangeUpdateNode:
            guard var member = context, members.contains(where: { $0.raftID == change.nodeID }) else { return }
            if member.raftID == 0 { member.raftID = change.nodeID }
            guard member.raftID != selfRaftID else { return }
            upsert(member)
        case .confChangeRemoveNode:
            members.removeAll { $0.raftID == change.nodeID }
            if !removed.contains(change.nodeID) { removed.append(change.nodeID) }
        }
    }

    /// Records a new address for a member: what a snapshot written for a move to a new host
    /// carries, the one place a manager takes its own address from.
    public mutating func setAddress(_ addr: String, for raftID: UInt64) {
        guard let i = members.firstIndex(where: { $0.raftID == raftID }) else { return }
        members[i].addr = addr
    }

    /// Fills in what a member record left empty (force-new-cluster adds the surviving node
    /// with only its raft ID) from another source such as the WAL metadata.
    public mutating func complete(with known: SwarmRaftMember) {
        guard let i = members.firstIndex(where: { $0.raftID == known.raftID }) else { return }
        if members[i].nodeID.isEmpty { members[i].nodeID = known.nodeID }
        if members[i].addr.isEmpty { members[i].addr = known.addr }
    }

    private mutating func upsert(_ member: SwarmRaftMember) {
        if let i = members.firstIndex(where: { $0.raftID == member.raftID }) {
            var merged = member
            if merged.nodeID.isEmpty { merged.nodeID = members[i].nodeID }
            if merged.addr.isEmpty { merged.addr = members[i].addr }
            members[i] = merged
        } else {
            members.append(member)
        }
    }
}
