import Foundation
import SwarmFormats
import SwarmConventions
import SwarmProto
import SwarmNode

/// Keeps this manager's key file under the KEK the cluster object names, as swarmkit's
/// manager does when it sees the cluster change (`updateKEK`): the log entry comes first,
/// the key file follows it. So `docker swarm update --autolock=true|false` and
/// `docker swarm unlock-key --rotate` are one UpdateCluster entry each, and the node key
/// opens with the key `docker swarm unlock-key` shows from then on.
struct NodeKeyFollower {
    enum Outcome {
        case unchanged
        /// The key file is now under `key` (nil: in the clear); the file it replaced is kept
        /// at `keptAside`.
        case rewritten(key: UnlockKey?, keptAside: String?)
    }

    let directory: StateDirectory
    let fips: Bool

    /// Rewrites the key file when the cluster's key is not the one it is under (`current`).
    /// The KEK version written is the cluster's version, as swarmkit records it, so a real
    /// manager booting the folder later sees a KEK as new as its cluster object.
    func follow(_ cluster: SwarmCluster, from current: UnlockKey?, at now: Date) throws -> Outcome {
        let wanted = try cluster.managerUnlockKey()
        guard wanted != current else { return .unchanged }
        // Read back from disk with the key it is under now: a file that does not open with it
        // was changed behind our back and is left alone.
        let keys = try NodeKeys.load(keyFile: directory.nodeKey, unlockKey: current)
        let aside = try NodeKeyRewrite.write(
            keys, to: directory.nodeKey.path, kek: wanted, kekVersion: cluster.meta.version.index, fips: fips,
            keepPrevious: true, at: now)
        return .rewritten(key: wanted, keptAside: aside)
    }
}

extension SwarmCluster {
    /// The manager unlock key the cluster holds. swarmkit reads `unlock_keys` alone (not the
    /// autolock flag): its UpdateCluster drops the manager's entry when autolock goes off.
    public func managerUnlockKey() throws(NodeKeyFollowerError) -> UnlockKey? {
        guard let entry = unlockKeys.first(where: { $0.subsystem == ClusterDefaults.managerUnlockKeySubsystem }) else {
            return nil
        }
        do {
            return UnlockKey(kek: try EncryptionKey(bytes: entry.key))
        } catch {
            throw .unusableClusterKey(length: entry.key.count)
        }
    }
}

public enum NodeKeyFollowerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The cluster's manager unlock key is not a 32-byte KEK.
    case unusableClusterKey(length: Int)

    public var description: String {
        switch self {
        case .unusableClusterKey(let length):
            "the cluster's manager unlock key holds \(length) bytes, not the 32 of a KEK"
        }
    }
}
