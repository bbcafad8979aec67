import Foundation
import SwarmFormats
import SwarmConventions
import SwarmInit
import SwarmNode
import SwarmProto
import SwarmStore
import SwarmTestSupport
import SwiftProtobuf
import Testing

/// The strongest check of `init` there is: feed the plan the identity, keys and clock that
/// real swarmkit happened to use in a fixture, and every entry it plans must be the very
/// bytes swarmkit wrote (before encryption), in the same order, with the same hard states.
@Suite struct InitPlanTests {
    /// Scenarios whose first seven entries are a manager's `swarm init` (fips-1mgr has more
    /// entries after them, from the services it was built with).
    static let scenarios = ["fresh-init", "fresh-init-autolock", "fips-1mgr", "single-manager"]

    /// What a fixture's own first start used, recovered from its folder.
    struct Reference {
        let folder: URL
        let node: LoadedNode
        let payloads: [(entry: RaftLogEntry, payload: Data)]
        let options: InitOptions
        let identity: SwarmIdentity
        let credentials: InitCredentials
        let timeline: InitTimeline
        let caKeyPEM: Data

        var plan: SwarmInitPlan {
            get throws { try SwarmInitPlan(options: options, identity: identity, credentials: credentials, timeline: timeline) }
        }

        static func load(_ scenario: String) throws -> Reference {
            let folder = Fixtures.folder(scenario, "manager-1")
            let unlockKey = try Fixtures.unlockKey(scenario).map { try UnlockKey(text: $0) }
            let node = try NodeLoader(unlockKey: unlockKey).loadManager(StateDirectory(path: folder.path))
            let log = try #require(node.raft)
            var payloads: [(RaftLogEntry, Data)] = []
            try log.forEachEntry { entry in
                if entry.index <= 7 { payloads.append((entry, entry.payload)) }
            }
            try #require(payloads.count == 7)
            let requests = try payloads.dropFirst(2).map { try SwarmInternalRaftRequest(serializedBytes: $0.1) }
            func object(_ request: Int, _ action: Int) throws -> SwarmStoreAction.OneOf_Target {
                try #require(requests[request].action[action].target)
            }
            guard case .cluster(let created) = try object(0, 0), case .node(let createdNode) = try object(0, 1),
                  case .network(let network) = try object(0, 2), case .cluster(let keyed) = try object(1, 0),
                  case .node(let unknown) = try object(2, 0), case .node(let role) = try object(3, 0),
                  case .node(let registered) = try object(4, 0)
            else { throw ReferenceError.unexpectedEntries }

            let member = try SwarmRaftMember(serializedBytes: #require(log.wal.metadata))
            let fips = created.fips
            let options = try InitOptions(
                advertiseAddress: AdvertiseAddress(parsing: member.addr), autolock: unlockKey != nil, fips: fips,
                hostname: registered.description_p.hostname)
            let identity = SwarmIdentity(
                clusterID: created.id, nodeID: createdNode.id, raftID: member.raftID, ingressNetworkID: network.id,
                joinTokens: created.rootCa.joinTokens, networkBootstrapKeys: keyed.networkBootstrapKeys,
                encryptionKeyLamportClock: keyed.encryptionKeyLamportClock, firstRequestID: requests[0].id)
            let keys = try #require(node.keys)
            let certificates = try #require(node.certificates)
            let issuer = try CertificateIssuer(rootCertificatePEM: created.rootCa.caCert, privateKeyPEM: created.rootCa.caKey)
            let credentials = InitCredentials(
                issuer: issuer, nodePrivateKey: keys.plainPrivateKey,
                nodeCertificate: try IssuedCertificate(der: certificates.node.der),
                dek: try #require(keys.currentDEK), unlockKey: unlockKey)
            let timeline = InitTimeline(
                clusterCreated: created.meta.createdAt, nodeCreated: createdNode.meta.createdAt,
                networkCreated: network.meta.createdAt, networkKeysAdded: keyed.meta.updatedAt,
                nodeMarkedUnknown: unknown.meta.updatedAt, nodeRoleSet: role.meta.updatedAt,
                nodeRegistered: registered.meta.updatedAt)
            return Reference(
                folder: folder, node: node, payloads: payloads, options: options, identity: identity,
                credentials: credentials, timeline: timeline, caKeyPEM: created.rootCa.caKey)
        }
    }

    enum ReferenceError: Error { case unexpectedEntries }

    @Test("entries are swarmkit's bytes given swarmkit's randomness", arguments: scenarios)
    func entriesMatchSwarmkit(scenario: String) throws {
        let reference = try Reference.load(scenario)
        let plan = try reference.plan
        #expect(plan.entries.count == 7)
        for (planned, (entry, payload)) in zip(plan.entries, reference.payloads) {
            #expect(planned.index == entry.index)
            #expect(planned.term == entry.term)
            #expect(planned.type == entry.type)
            #expect(planned.payload == payload, "entry \(entry.index) differs from swarmkit's")
        }
        #expect(plan.walMetadata == reference.node.raft?.wal.metadata)
        #expect(try plan.rootCertificateFile == String(contentsOf: reference.folder.appendingPathComponent(SwarmCertificates.rootCAPath), encoding: .utf8))
        #expect(try plan.nodeCertificateFile == String(contentsOf: reference.folder.appendingPathComponent(SwarmCertificates.nodeCertificatePath), encoding: .utf8))
        #expect(try plan.credentials.issuer.privateKeyPEM() == String(decoding: reference.caKeyPEM, as: UTF8.self))
        #expect(try plan.stateJSON == Data(contentsOf: reference.folder.appendingPathComponent("state.json")))
    }

    @Test("hard state after init is swarmkit's", arguments: ["fresh-init", "fresh-init-autolock"])
    func hardStateMatchesSwarmkit(scenario: String) throws {
        let reference = try Reference.load(scenario)
        let plan = try reference.plan
        #expect(plan.hardState == reference.node.raft?.hardState)
        // Bootstrap entry saved before any election; every later one by the elected self.
        #expect(plan.entries.map(\.hardState.term) == [1, 2, 2, 2, 2, 2, 2])
        #expect(plan.entries.map(\.hardState.vote) == [0] + Array(repeating: reference.identity.raftID, count: 6))
        #expect(plan.entries.map(\.hardState.commit) == Array(1...7))
        #expect(plan.entries.allSatisfy { $0.hardState.hasTerm && $0.hardState.hasVote && $0.hardState.hasCommit })
    }

    /// Without autolock the key file has no randomness of its own: byte for byte swarmkit's.
    @Test func clearKeyFileIsSwarmkits() throws {
        let reference = try Reference.load("fresh-init")
        let expected = try String(contentsOf: reference.folder.appendingPathComponent(NodeKeyFile.relativePath), encoding: .utf8)
        #expect(try reference.plan.nodeKeyFile() == expected)
    }

    @Test("locked key file unlocks to the same keys", arguments: ["fresh-init-autolock", "fips-1mgr"])
    func lockedKeyFile(scenario: String) throws {
        let reference = try Reference.load(scenario)
        let plan = try reference.plan
        let written = try NodeKeyFile.parse(Data(plan.nodeKeyFile().utf8))
        let theirs = try #require(reference.node.keys)
        #expect(written.block.type == theirs.keyFile.block.type)
        #expect(written.block.headers.map(\.name) == theirs.keyFile.block.headers.map(\.name))
        #expect(written.dekAlgorithm == theirs.dekAlgorithm)
        #expect(throws: KeyMaterialError.self) { try written.unlock(with: nil) }
        let unlocked = try written.unlock(with: plan.credentials.unlockKey)
        #expect(unlocked.currentDEK == theirs.currentDEK)
        #expect(unlocked.plainPrivateKey == theirs.plainPrivateKey)
    }

    @Test("stored entries: every field set, data encrypted like swarmkit's", arguments: scenarios)
    func storedEntries(scenario: String) throws {
        let reference = try Reference.load(scenario)
        let plan = try reference.plan
        let stored = try plan.storedEntries()
        let log = try #require(reference.node.raft)
        var theirs: [RaftEntry] = []
        try log.wal.forEachEntry { _, entry in if entry.index <= 7 { theirs.append(entry) } }
        for (ours, swarmkits) in zip(stored, theirs) {
            #expect(ours.hasType && ours.hasTerm && ours.hasIndex && ours.hasData)
            #expect(ours.hasData == swarmkits.hasData)
            let record = try SwarmMaybeEncryptedRecord(serializedBytes: ours.data)
            let theirRecord = try SwarmMaybeEncryptedRecord(serializedBytes: swarmkits.data)
            #expect(record.algorithm == theirRecord.algorithm)
            #expect(record.nonce.count == theirRecord.nonce.count)
            #expect(record.data.count == theirRecord.data.count || record.algorithm == .fernetAes128Cbc)
            #expect(try reference.node.keys?.raftDecrypter.decrypt(serialized: ours.data) == plan.entries[Int(ours.index) - 1].payload)
        }
    }

    @Test func generatedPlanIsConsistent() throws {
        let options = try InitOptions(advertiseAddress: AdvertiseAddress(parsing: "10.1.2.3"), autolock: true, fips: true, hostname: "node-a")
        let plan = try SwarmInitPlan.generate(options: options, now: Date())
        #expect(plan.identity.clusterID.hasPrefix("FIPS."))
        #expect(SwarmID.isValid(String(plan.identity.clusterID.dropFirst(5))))
        #expect(SwarmID.isValid(plan.identity.nodeID))
        #expect(plan.localMember.addr == "10.1.2.3:2377")
        #expect(plan.cluster.fips && plan.node.description_p.fips)
        #expect(plan.cluster.spec.encryptionConfig.autoLockManagers)
        #expect(plan.cluster.unlockKeys.map(\.key) == [try #require(plan.credentials.unlockKey).kek.bytes])
        #expect(plan.cluster.rootCa.joinTokens.worker.hasPrefix("SWMTKN-2-1-"))
        #expect(plan.cluster.rootCa.joinTokens.worker != plan.cluster.rootCa.joinTokens.manager)
        #expect(plan.node.status.addr == "10.1.2.3")
        #expect(plan.node.meta.version.index == 6 && plan.cluster.meta.version.index == 3 && plan.ingressNetwork.meta.version.index == 2)
        #expect(plan.raftCipher.encryptionAlgorithm == .fernet)
        let certificates = try SwarmCertificates(
            nodeChainPEM: Data(plan.nodeCertificateFile.utf8), rootsPEM: Data(plan.rootCertificateFile.utf8))
        #expect(certificates.node.nodeID == plan.identity.nodeID)
        #expect(certificates.node.clusterID == plan.identity.clusterID)
        #expect(certificates.chainsToRoot)
    }
}
