import Foundation
import SwarmProto

/// Docker's swarm.ClusterInfo: the cluster object as `/info` shows it.
public struct EngineClusterInfo: Encodable, Sendable {
    struct TLSInfo: Encodable, Sendable {
        var trustRoot: String
        var certIssuerSubject: Data
        var certIssuerPublicKey: Data
        enum CodingKeys: String, CodingKey {
            case trustRoot = "TrustRoot", certIssuerSubject = "CertIssuerSubject", certIssuerPublicKey = "CertIssuerPublicKey"
        }
    }

    public var id: String
    var version: EngineObjectVersion
    var createdAt: String?
    var updatedAt: String?
    var spec: EngineClusterSpec
    var tlsInfo: TLSInfo
    var rootRotationInProgress: Bool
    var defaultAddrPool: [String]?
    var subnetSize: UInt32
    var dataPathPort: UInt32

    enum CodingKeys: String, CodingKey {
        case id = "ID", version = "Version", createdAt = "CreatedAt", updatedAt = "UpdatedAt", spec = "Spec"
        case tlsInfo = "TLSInfo", rootRotationInProgress = "RootRotationInProgress", defaultAddrPool = "DefaultAddrPool"
        case subnetSize = "SubnetSize", dataPathPort = "DataPathPort"
    }

    /// The issuer's subject and key are the root CA's; the manager's own node description
    /// already carries them, so they are taken from there instead of parsing the certificate.
    init(_ cluster: SwarmCluster, issuer: SwarmNodeTLSInfo?) {
        let meta = ObjectMeta(cluster.meta)
        id = cluster.id
        version = meta.version
        createdAt = meta.createdAt
        updatedAt = meta.updatedAt
        spec = EngineClusterSpec(cluster.spec)
        tlsInfo = TLSInfo(
            trustRoot: String(decoding: cluster.rootCa.caCert, as: UTF8.self),
            certIssuerSubject: issuer?.certIssuerSubject ?? Data(),
            certIssuerPublicKey: issuer?.certIssuerPublicKey ?? Data())
        rootRotationInProgress = cluster.rootCa.hasRootRotation
        // swarmkit's control API answers with its defaults when the cluster stores none (a
        // real dockerd showed 10.0.0.0/8 for a cluster whose object has no pool).
        defaultAddrPool = cluster.defaultAddressPool.isEmpty ? ["10.0.0.0/8"] : cluster.defaultAddressPool
        subnetSize = cluster.subnetSize == 0 ? 24 : cluster.subnetSize
        dataPathPort = cluster.vxlanudpport
    }
}

/// Docker's swarm.Swarm (`GET /swarm`): the cluster plus its join tokens.
public struct EngineSwarm: Encodable, Sendable {
    struct JoinTokens: Encodable, Sendable {
        var worker: String
        var manager: String
        enum CodingKeys: String, CodingKey { case worker = "Worker", manager = "Manager" }
    }

    var cluster: EngineClusterInfo
    var joinTokens: JoinTokens

    init(_ cluster: SwarmCluster, issuer: SwarmNodeTLSInfo?) {
        self.cluster = EngineClusterInfo(cluster, issuer: issuer)
        joinTokens = JoinTokens(worker: cluster.rootCa.joinTokens.worker, manager: cluster.rootCa.joinTokens.manager)
    }

    enum CodingKeys: String, CodingKey { case joinTokens = "JoinTokens" }

    /// Go embeds ClusterInfo, so its fields sit beside JoinTokens rather than under a key.
    public func encode(to encoder: any Encoder) throws {
        try cluster.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(joinTokens, forKey: .joinTokens)
    }
}
