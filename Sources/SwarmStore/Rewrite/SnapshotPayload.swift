import Foundation
import SwarmProto

/// The plaintext of a swarmkit snapshot (`api.Snapshot`) for a store and a membership, as
/// swarmkit's `triggerSnapshot` builds it: version V0, the members with only their raft ID,
/// node ID and address, the removed IDs, and every object of the store in ID order (memdb's
/// order).
///
/// gogo writes non-nullable sub-messages even when empty, so `membership`, `store` and each
/// member's `status` are always present. Objects are kept as the bytes they were stored as.
/// Checked: for a fixture snapshot, store and membership loaded from it rebuild the exact
/// decrypted payload.
public enum SnapshotPayload {
    public static func make(store: ObjectStore, membership: RaftMembership) throws -> Data {
        var snapshot = SwarmRawSnapshot()
        snapshot.version = .v0
        var cluster = SwarmClusterSnapshot()
        // Rebuilt from the three fields swarmkit copies; its status is always written empty.
        cluster.members = membership.members.map { member in
            var copy = SwarmRaftMember()
            copy.raftID = member.raftID
            copy.nodeID = member.nodeID
            copy.addr = member.addr
            copy.status = SwarmRaftMemberStatus()
            return copy
        }
        cluster.removed = membership.removed
        snapshot.membership = cluster
        snapshot.store = store.snapshot
        return try snapshot.serializedBytes()
    }
}
