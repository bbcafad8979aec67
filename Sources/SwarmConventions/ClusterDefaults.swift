import Foundation
import SwarmProto
import SwiftProtobuf

/// The objects a new swarmkit manager puts in its store when it first becomes leader, with
/// swarmkit's defaults. Sub-messages that swarmkit declares non-nullable are set even when
/// empty: gogo writes them as empty fields, and an object that is byte-identical to
/// swarmkit's is the point.
public enum ClusterDefaults {
    public static let clusterName = "default"
    public static let ingressNetworkName = "ingress"
    public static let taskHistoryRetentionLimit: Int64 = 5
    public static let snapshotInterval: UInt64 = 10_000
    public static let keepOldSnapshots: UInt64 = 0
    public static let logEntriesForSlowFollowers: UInt64 = 500
    public static let heartbeatTick: UInt32 = 1
    public static let electionTick: UInt32 = 10
    public static let dispatcherHeartbeatPeriodSeconds: Int64 = 5
    /// 2160 h, the default node certificate lifetime.
    public static let nodeCertificateExpirySeconds: Int64 = 7_776_000
    /// `Cluster.unlock_keys` subsystem of the manager unlock key (swarmkit's manager role name).
    public static let managerUnlockKeySubsystem = "swarm-manager"
    /// What the dispatcher writes on every node when a leader takes over.
    public static let leadershipChangeMessage = "Node moved to \"unknown\" state due to leadership change in cluster"

    /// Root CA material as the cluster object keeps it. `caKey` is secret.
    public struct RootCAMaterial: Sendable {
        public var caCertificatePEM: Data
        public var caKeyPEM: Data
        /// `sha256:<hex of the certificate PEM>`.
        public var caCertificateHash: String

        public init(caCertificatePEM: Data, caKeyPEM: Data, caCertificateHash: String) {
            self.caCertificatePEM = caCertificatePEM
            self.caKeyPEM = caKeyPEM
            self.caCertificateHash = caCertificateHash
        }
    }

    public static func clusterSpec(autolock: Bool) -> SwarmClusterSpec {
        var spec = SwarmClusterSpec()
        spec.annotations.name = clusterName
        spec.acceptancePolicy = SwarmAcceptancePolicy()
        spec.orchestration.taskHistoryRetentionLimit = taskHistoryRetentionLimit
        spec.raft.snapshotInterval = snapshotInterval
        spec.raft.keepOldSnapshots = keepOldSnapshots
        spec.raft.logEntriesForSlowFollowers = logEntriesForSlowFollowers
        spec.raft.heartbeatTick = heartbeatTick
        spec.raft.electionTick = electionTick
        spec.dispatcher.heartbeatPeriod = Google_Protobuf_Duration(seconds: dispatcherHeartbeatPeriodSeconds)
        spec.caConfig.nodeCertExpiry = Google_Protobuf_Duration(seconds: nodeCertificateExpirySeconds)
        spec.taskDefaults = SwarmTaskDefaults()
        spec.encryptionConfig.autoLockManagers = autolock
        return spec
    }

    /// The cluster object as first created: no network keys yet (the key manager adds them
    /// in its own, later update).
    public static func cluster(
        id: String, rootCA: RootCAMaterial, joinTokens: SwarmJoinTokens, unlockKey: Data?, fips: Bool, meta: SwarmMeta
    ) -> SwarmCluster {
        var cluster = SwarmCluster()
        cluster.id = id
        cluster.meta = meta
        cluster.spec = clusterSpec(autolock: unlockKey != nil)
        cluster.rootCa.caKey = rootCA.caKeyPEM
        cluster.rootCa.caCert = rootCA.caCertificatePEM
        cluster.rootCa.caCertHash = rootCA.caCertificateHash
        cluster.rootCa.joinTokens = joinTokens
        if let unlockKey {
            var key = SwarmEncryptionKey()
            key.subsystem = managerUnlockKeySubsystem
            key.key = unlockKey
            cluster.unlockKeys = [key]
        }
        cluster.fips = fips
        return cluster
    }

    /// This manager's node object as the leader first creates it.
    public static func managerNode(id: String, meta: SwarmMeta) -> SwarmNode {
        var node = SwarmNode()
        node.id = id
        node.meta = meta
        node.spec.annotations = SwarmAnnotations()
        node.spec.desiredRole = .manager
        node.spec.membership = .accepted
        node.status = SwarmNodeStatus()
        node.certificate.role = .manager
        node.certificate.status.state = .issued
        node.certificate.cn = id
        return node
    }

    /// The routing-mesh network every new swarm gets.
    public static func ingressNetwork(id: String, meta: SwarmMeta) -> SwarmNetwork {
        var network = SwarmNetwork()
        network.id = id
        network.meta = meta
        network.spec.annotations.name = ingressNetworkName
        network.spec.driverConfig = SwarmDriver()
        network.spec.ipam.driver = SwarmDriver()
        network.spec.ingress = true
        return network
    }

    /// What the node carries once its own agent has registered with the dispatcher.
    public static func registeredDescription(hostname: String, tlsInfo: SwarmNodeTLSInfo, fips: Bool) -> SwarmNodeDescription {
        var description = SwarmNodeDescription()
        description.hostname = hostname
        description.tlsInfo = tlsInfo
        description.fips = fips
        return description
    }

    public static func meta(version: UInt64, createdAt: Google_Protobuf_Timestamp, updatedAt: Google_Protobuf_Timestamp) -> SwarmMeta {
        var meta = SwarmMeta()
        meta.version.index = version
        meta.createdAt = createdAt
        meta.updatedAt = updatedAt
        return meta
    }
}
