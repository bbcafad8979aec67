import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore

/// A consistent, immutable picture of the manager at one commit: what every read request
/// answers from. The store is a value, so a view costs a reference count, not a copy.
public struct ManagerView: Sendable {
    public let store: ObjectStore
    public let membership: RaftMembership
    public let clusterID: String
    public let selfNodeID: String
    public let selfRaftID: UInt64
    /// The embedded manager is always its own leader.
    public var leaderRaftID: UInt64 { selfRaftID }
    /// This node's raft address (its member record).
    public let selfAddr: String
    public let term: UInt64
    public let commitIndex: UInt64
    public let snapshotIndex: UInt64
    public let readOnly: Bool
    /// The unlock key that opened the node key, when the swarm is autolocked.
    public let unlockKey: UnlockKey?
    /// The root CA certificate (PEM) the node trusts.
    public let rootCACertificatePEM: Data?
    /// Decoded objects shared by every view of this manager and its writer, so each read of a
    /// whole kind decodes only what changed since the last.
    public let decoded: DecodedObjectCache

    /// The cluster object (swarmkit keeps exactly one, named "default").
    public var cluster: SwarmCluster? {
        guard let stored = store.objects(.cluster).first,
            case .cluster(let cluster)? = try? stored.decoded()
        else { return nil }
        return cluster
    }

    public var selfNode: SwarmNode? {
        guard let stored = store.get(.node, id: selfNodeID), case .node(let node)? = try? stored.decoded() else {
            return nil
        }
        return node
    }
}
