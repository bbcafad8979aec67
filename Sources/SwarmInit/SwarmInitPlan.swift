import Foundation
import SwarmConventions
import SwarmFormats
import SwarmProto
import SwiftProtobuf

/// One raft entry of the new log, before encryption, with the hard state swarmkit saved
/// together with it (a lone manager commits each entry in the same step it appends it).
public struct PlannedEntry: Sendable {
    public let term: UInt64
    public let index: UInt64
    public let type: RaftEntryType
    /// A marshaled `ConfChange` or `InternalRaftRequest`; empty for the leader's no-op.
    public let payload: Data
    public let hardState: RaftHardState
}

/// Everything `init` writes, as values: the raft log (WAL metadata, entries, hard states),
/// the final store objects, and the files. Building it touches no disk, so it can be checked
/// against swarmkit's own output field by field.
///
/// The log is what a real manager leaves after `swarm init`, start to clean stop:
///  1. term 1: `AddNode` conf change for this manager (raft bootstrap);
///  2. term 2: the new leader's empty entry;
///  3. create the cluster object, this node and the ingress network (one transaction);
///  4. the key manager adds the overlay network keys to the cluster;
///  5. the dispatcher marks the node unknown after the leadership change;
///  6. the role manager records the node's role;
///  7. the node's agent registers: description and status ready.
/// Store versions are the raft index before the change, as swarmkit's store stamps them.
public struct SwarmInitPlan: Sendable {
    public static let bootstrapTerm: UInt64 = 1
    public static let leaderTerm: UInt64 = 2

    public let options: InitOptions
    public let identity: SwarmIdentity
    public let credentials: InitCredentials
    /// This manager's raft member record; marshaled, it is the WAL metadata and the
    /// conf change context.
    public let localMember: SwarmRaftMember
    public let walMetadata: Data
    public let entries: [PlannedEntry]
    /// The store after the last entry.
    public let cluster: SwarmCluster
    public let node: SwarmNode
    public let ingressNetwork: SwarmNetwork

    public var hardState: RaftHardState { entries.last?.hardState ?? RaftHardState() }
    public var lastIndex: UInt64 { entries.last?.index ?? 0 }

    public init(options: InitOptions, identity: SwarmIdentity, credentials: InitCredentials, timeline: InitTimeline) throws(InitError) {
        self.options = options
        self.identity = identity
        self.credentials = credentials

        var member = SwarmRaftMember()
        member.raftID = identity.raftID
        member.nodeID = identity.nodeID
        member.addr = options.advertiseAddress.hostPort
        // Non-nullable in swarmkit: always written, as an empty message.
        member.status = SwarmRaftMemberStatus()
        localMember = member
        walMetadata = try Self.marshal(member)

        let issuer = credentials.issuer
        let rootCA: ClusterDefaults.RootCAMaterial
        let tlsInfo: SwarmNodeTLSInfo
        do {
            rootCA = ClusterDefaults.RootCAMaterial(
                caCertificatePEM: Data(issuer.rootCertificatePEM.utf8), caKeyPEM: Data(try issuer.privateKeyPEM().utf8),
                caCertificateHash: issuer.rootDigestText)
            var info = SwarmNodeTLSInfo()
            info.trustRoot = Data(issuer.rootCertificatePEM.utf8)
            info.certIssuerSubject = try issuer.rootSubjectDER()
            info.certIssuerPublicKey = issuer.rootPublicKeyInfoDER
            tlsInfo = info
        } catch {
            throw .certificate(error)
        }

        var builder = LogBuilder(raftID: identity.raftID, requestIDs: RaftRequestIDs(first: identity.firstRequestID))
        var confChange = RaftConfChange()
        confChange.id = 0
        confChange.type = .confChangeAddNode
        confChange.nodeID = identity.raftID
        confChange.context = walMetadata
        try builder.append(term: Self.bootstrapTerm, type: .entryConfChange, payload: Self.marshal(confChange), vote: 0)
        builder.append(term: Self.leaderTerm, type: .entryNormal, payload: Data())

        let creation = builder.nextIndex - 1
        var cluster = ClusterDefaults.cluster(
            id: identity.clusterID, rootCA: rootCA, joinTokens: identity.joinTokens,
            unlockKey: credentials.unlockKey?.kek.bytes, fips: options.fips,
            meta: ClusterDefaults.meta(version: creation, createdAt: timeline.clusterCreated, updatedAt: timeline.clusterCreated))
        var node = ClusterDefaults.managerNode(
            id: identity.nodeID,
            meta: ClusterDefaults.meta(version: creation, createdAt: timeline.nodeCreated, updatedAt: timeline.nodeCreated))
        let network = ClusterDefaults.ingressNetwork(
            id: identity.ingressNetworkID,
            meta: ClusterDefaults.meta(version: creation, createdAt: timeline.networkCreated, updatedAt: timeline.networkCreated))
        try builder.request([.create(.cluster(cluster)), .create(.node(node)), .create(.network(network))])

        cluster.networkBootstrapKeys = identity.networkBootstrapKeys
        cluster.encryptionKeyLamportClock = identity.encryptionKeyLamportClock
        cluster.meta.version.index = builder.nextIndex - 1
        cluster.meta.updatedAt = timeline.networkKeysAdded
        try builder.request([.update(.cluster(cluster))])

        node.status.state = .unknown
        node.status.message = ClusterDefaults.leadershipChangeMessage
        node.meta.version.index = builder.nextIndex - 1
        node.meta.updatedAt = timeline.nodeMarkedUnknown
        try builder.request([.update(.node(node))])

        node.role = .manager
        node.meta.version.index = builder.nextIndex - 1
        node.meta.updatedAt = timeline.nodeRoleSet
        try builder.request([.update(.node(node))])

        node.description_p = ClusterDefaults.registeredDescription(hostname: options.hostname, tlsInfo: tlsInfo, fips: options.fips)
        var status = SwarmNodeStatus()
        status.state = .ready
        // The dispatcher records the IP its agent connected from; a manager's own agent
        // comes from the advertised address.
        status.addr = options.advertiseAddress.ip
        node.status = status
        node.meta.version.index = builder.nextIndex - 1
        node.meta.updatedAt = timeline.nodeRegistered
        try builder.request([.update(.node(node))])

        entries = builder.entries
        self.cluster = cluster
        self.node = node
        ingressNetwork = network
    }

    /// A brand-new swarm: fresh root CA, IDs, keys and tokens, stamped with `now`.
    public static func generate(options: InitOptions, now: Date) throws(InitError) -> SwarmInitPlan {
        let issuer: CertificateIssuer
        do {
            issuer = try CertificateIssuer.createRoot(issuedAt: now)
        } catch {
            throw .certificate(error)
        }
        var generator = SystemRandomNumberGenerator()
        let identity = SwarmIdentity.random(rootDigest: issuer.rootDigest, fips: options.fips, startedAt: now, using: &generator)
        let credentials = try InitCredentials.issue(issuer: issuer, identity: identity, issuedAt: now, autolock: options.autolock)
        return try SwarmInitPlan(options: options, identity: identity, credentials: credentials, timeline: .starting(at: now))
    }

    // MARK: what goes on disk

    /// The entries as stored in the WAL: every field set (etcd's proto2 messages always
    /// carry type, term and index), data encrypted with the DEK (Fernet in FIPS clusters).
    /// The leader's empty entry is encrypted too, as swarmkit's encrypting WAL does.
    public func storedEntries() throws(InitError) -> [RaftEntry] {
        let cipher = raftCipher
        var stored: [RaftEntry] = []
        for planned in entries {
            var entry = RaftEntry()
            entry.type = planned.type
            entry.term = planned.term
            entry.index = planned.index
            do {
                entry.data = try cipher.encryptSerialized(planned.payload)
            } catch {
                throw .encryption("\(error)")
            }
            stored.append(entry)
        }
        return stored
    }

    public var raftCipher: RaftCipher { RaftCipher(key: credentials.dek, fips: options.fips) }

    /// `certificates/swarm-node.key`: PKCS#8 (encrypted with the KEK when autolocked) with the
    /// DEK header, `kek-version: 0`. Secret.
    public func nodeKeyFile() throws(InitError) -> String {
        do {
            return try NodeKeyFile.makeBlock(
                privateKey: credentials.nodePrivateKey, deks: RaftDEKs(current: credentials.dek),
                kek: credentials.unlockKey?.kek, kekVersion: 0, fips: options.fips
            ).encoded()
        } catch {
            throw .keyMaterial(error)
        }
    }

    /// `certificates/swarm-node.crt`: the node certificate alone (no intermediates).
    public var nodeCertificateFile: String { credentials.nodeCertificate.pem }

    /// `certificates/swarm-root-ca.crt`.
    public var rootCertificateFile: String { credentials.issuer.rootCertificatePEM }

    /// `state.json`: this manager as the only known manager, compact, no trailing newline,
    /// as Go's `json.Marshal` leaves it.
    public var stateJSON: Data {
        Data("[{\"node_id\":\(Self.jsonString(identity.nodeID)),\"addr\":\(Self.jsonString(localMember.addr))}]".utf8)
    }

    /// `docker-state.json`, as `docker swarm init` saves it: without it dockerd does not
    /// start swarm mode at all. Docker's local address is the listen IP, or the advertised
    /// one when swarm listens on a wildcard.
    public var dockerStartConfig: DockerStartConfig {
        let listen = options.listenAddress
        let local = ["0.0.0.0", "::"].contains(listen.ip) ? options.advertiseAddress.ip : listen.ip
        return DockerStartConfig(initWithAdvertise: options.advertiseAddress.hostPort, ip: local, listen: listen.hostPort)
    }

    // MARK: helpers

    static func marshal(_ message: some SwiftProtobuf.Message) throws(InitError) -> Data {
        do {
            return try message.serializedBytes()
        } catch {
            throw .raftLog("cannot marshal \(type(of: message)): \(error)")
        }
    }

    static func jsonString(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}

/// Appends entries at consecutive indexes with the hard state a lone voter saves with each.
private struct LogBuilder {
    enum Action {
        case create(SwarmStoreAction.OneOf_Target)
        case update(SwarmStoreAction.OneOf_Target)
    }

    let raftID: UInt64
    var requestIDs: RaftRequestIDs
    var entries: [PlannedEntry] = []

    init(raftID: UInt64, requestIDs: RaftRequestIDs) {
        self.raftID = raftID
        self.requestIDs = requestIDs
    }

    var nextIndex: UInt64 { (entries.last?.index ?? 0) + 1 }

    /// Before its election the node has voted for no one; from then on, for itself.
    mutating func append(term: UInt64, type: RaftEntryType, payload: Data, vote: UInt64? = nil) {
        let index = nextIndex
        var hardState = RaftHardState()
        hardState.term = term
        hardState.vote = vote ?? raftID
        hardState.commit = index
        entries.append(PlannedEntry(term: term, index: index, type: type, payload: payload, hardState: hardState))
    }

    mutating func request(_ actions: [Action]) throws(InitError) {
        var request = SwarmInternalRaftRequest()
        request.id = requestIDs.take()
        request.action = actions.map { action in
            var storeAction = SwarmStoreAction()
            switch action {
            case .create(let object):
                storeAction.action = .storeActionCreate
                storeAction.target = object
            case .update(let object):
                storeAction.action = .storeActionUpdate
                storeAction.target = object
            }
            return storeAction
        }
        append(term: SwarmInitPlan.leaderTerm, type: .entryNormal, payload: try SwarmInitPlan.marshal(request))
    }
}
