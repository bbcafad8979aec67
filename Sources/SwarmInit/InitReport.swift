import Foundation
import SwarmFormats

/// What `init` tells the operator. It contains the join tokens and, for an autolocked swarm,
/// the unlock key: this is the one and only place the unlock key is ever shown. The CA key
/// and the DEK never appear.
public struct InitReport: Encodable, Sendable {
    public var stateDir: String
    public var clusterID: String
    public var nodeID: String
    public var raftID: String
    public var advertiseAddr: String
    public var listenAddr: String
    public var encryption: String
    public var autolock: Bool
    public var fips: Bool
    public var caCertHash: String
    public var certificateNotAfter: Date
    public var joinTokens: JoinTokens
    /// Only for autolocked swarms. Secret.
    public var unlockKey: String?

    public struct JoinTokens: Encodable, Sendable {
        public var worker: String
        public var manager: String
    }

    enum CodingKeys: String, CodingKey {
        case encryption, autolock, fips
        case stateDir = "state_dir"
        case clusterID = "cluster_id"
        case nodeID = "node_id"
        case raftID = "raft_id"
        case advertiseAddr = "advertise_addr"
        case listenAddr = "listen_addr"
        case caCertHash = "ca_cert_hash"
        case certificateNotAfter = "certificate_not_after"
        case joinTokens = "join_tokens"
        case unlockKey = "unlock_key"
    }

    public init(plan: SwarmInitPlan, directory: StateDirectory) {
        stateDir = directory.path
        clusterID = plan.identity.clusterID
        nodeID = plan.identity.nodeID
        raftID = raftIDString(plan.identity.raftID)
        advertiseAddr = plan.options.advertiseAddress.hostPort
        listenAddr = plan.options.listenAddress.hostPort
        encryption = plan.options.fips ? "fernet" : "secretbox"
        autolock = plan.options.autolock
        fips = plan.options.fips
        caCertHash = plan.credentials.issuer.rootDigestText
        certificateNotAfter = plan.credentials.nodeCertificate.certificate.notValidAfter
        joinTokens = JoinTokens(worker: plan.identity.joinTokens.worker, manager: plan.identity.joinTokens.manager)
        unlockKey = plan.credentials.unlockKey?.text
    }


    /// Wording follows `docker swarm init`, so operators recognise what to do next.
    public var text: String {
        var out = """
            Swarm initialized in \(stateDir): cluster \(clusterID), node \(nodeID) is now a manager \
            (raft ID \(raftID)) advertising \(advertiseAddr), listening on \(listenAddr).
            Raft data is encrypted with \(encryption)\(fips ? " (FIPS)" : "").

            To add a worker to this swarm, run the following command:

                docker swarm join --token \(joinTokens.worker) \(advertiseAddr)

            To add a manager to this swarm, run the following command:

                docker swarm join --token \(joinTokens.manager) \(advertiseAddr)

            """
        if let unlockKey {
            out += """

                The swarm is autolocked. A restarted manager needs this unlock key; it is shown \
                only now, so store it safely (a password manager):

                    \(unlockKey)

                """
        }
        return out
    }
}
