import Foundation
import SwarmFormats
import SwarmProto
@testable import SwarmRecovery
import SwarmStore
import SwarmTestSupport
import Testing
import SwarmConventions
import SwarmInit
import SwarmNode

/// `--advertise-addr` and `--remove-lost-managers` on the real 3-manager fixtures, one
/// manager taken alone.
@Suite struct RecoveryOptionsTests {
    static func key(_ scenario: String) throws -> UnlockKey? {
        try Fixtures.unlockKey(scenario).map { try UnlockKey(parsing: $0, source: "test") }
    }

    static func nodes(_ node: LoadedNode) throws -> [String: SwarmNode] {
        var result: [String: SwarmNode] = [:]
        for object in try node.cluster?.store.decodedObjects(.node) ?? [] {
            if case .node(let n) = object { result[n.id] = n }
        }
        return result
    }

    @Test(arguments: ForceNewClusterTests.managers)
    func aMoveToANewAddressReachesEveryRecord(_ scenario: String, _ name: String) throws {
        let folder = Fixtures.copy(scenario, name)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try Self.key(scenario)
        let directory = StateDirectory(path: folder.path)
        let before = try NodeLoader(unlockKey: key).loadManager(directory)
        let local = try #require(before.localMember)
        let nodeID = try #require(before.certificates?.node.nodeID)
        // A docker-state.json as Docker writes it, with the old address in three places.
        let oldIP = "127.0.0.1"
        let dockerState = #"{"LocalAddr":"\#(oldIP)","RemoteAddr":"","ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"\#(oldIP):2377","DataPathAddr":"\#(oldIP)","DefaultAddressPool":null,"SubnetSize":0,"DataPathPort":4789,"JoinInProgress":false}"#
        try Data(dockerState.utf8).write(to: folder.appendingPathComponent("docker-state.json"))
        let oldMemberAddr = try #require(before.cluster?.membership.member(local.raftID)?.addr)
        let oldPort = try AdvertiseAddress(parsing: oldMemberAddr).port

        let options = ForceNewClusterOptions(advertiseAddress: try RequestedAddress(parsing: "10.20.30.40"))
        let (plan, _) = try ForceNewCluster(directory: directory, unlockKey: key, options: options).run()
        let target = "10.20.30.40:\(oldPort)"
        #expect(plan.addressChange?.to == target)
        #expect(plan.addressChange?.from == oldMemberAddr)

        let after = try NodeLoader(unlockKey: key).loadManager(directory)
        #expect(after.warnings.isEmpty)
        // The member record (what other managers would dial, and the join command shows).
        #expect(after.cluster?.membership.members.map(\.addr) == [target])
        // The node object: the address the overlay network uses for this node.
        let node = try #require(try Self.nodes(after)[nodeID])
        #expect(node.status.addr == "10.20.30.40")
        if node.hasManagerStatus { #expect(node.managerStatus.addr == target) }
        // The files next to the log.
        #expect(after.knownManagers.map(\.addr) == [target])
        let docker = try DockerStateJSON.read(folder.appendingPathComponent("docker-state.json"))
        #expect(docker["AdvertiseAddr"] == target)
        #expect(docker["LocalAddr"] == "10.20.30.40")
        #expect(docker["DataPathAddr"] == "10.20.30.40")
        // A wildcard listen host stays, on the advertised port: something must listen where
        // the manager says it is reached.
        #expect(docker["ListenAddr"] == "0.0.0.0:\(oldPort)")
        // swarmkit ignores an UpdateNode conf change for itself and takes its own address
        // from the snapshot's membership (real Docker kept the old address everywhere after
        // one): the raft folder is one snapshot at the commit whose membership carries the
        // new address, and no entry after it.
        let log = try #require(after.raft)
        #expect(log.snapshotIndex == plan.newHardState.commit)
        #expect(log.lastIndex == log.snapshotIndex)
        #expect(log.hardState.commit == log.lastIndex)
        #expect(after.cluster?.snapshotMembership.members.map(\.addr) == [target])
        #expect(after.cluster?.snapshotMembership.members.map(\.nodeID) == [nodeID])
        #expect(log.snapshot?.snapshot.metadata.confState.voters == [local.raftID])

        // Every other object unchanged.
        for kind in ObjectKind.allCases where kind != .node {
            for object in before.cluster?.store.objects(kind) ?? [] {
                #expect(after.cluster?.store.get(kind, id: object.id)?.bytes == object.bytes)
            }
        }
        // Judged from outside: every object is what swarmkit's own decoder read from the
        // fixture, field by field, except this node's version (its addresses, which the golden
        // does not list, changed).
        let moved = Fixtures.goldenComparable(
            try GoldenStore.lines(after.cluster?.store), try Fixtures.goldenObjects(scenario, name), movedNodes: [nodeID])
        #expect(moved.got == moved.golden)
        #expect(moved.golden["node"]?.contains { $0.hasPrefix("id=\(nodeID) ") } == true)

        // The same request again changes nothing.
        let tree = try Fixtures.tree(folder.path)
        let (again, aside) = try ForceNewCluster(directory: directory, unlockKey: key, options: options).run()
        #expect(again.isNoOp)
        #expect(aside == nil)
        #expect(try Fixtures.tree(folder.path) == tree)
    }

    @Test(arguments: ForceNewClusterTests.managers)
    func lostManagersLeaveNoGhosts(_ scenario: String, _ name: String) throws {
        let folder = Fixtures.copy(scenario, name)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try Self.key(scenario)
        let directory = StateDirectory(path: folder.path)
        let before = try NodeLoader(unlockKey: key).loadManager(directory)
        let nodeID = try #require(before.certificates?.node.nodeID)
        let managersBefore = try Self.nodes(before).values.filter { $0.spec.desiredRole == .manager }
        #expect(managersBefore.count == 3)

        let options = ForceNewClusterOptions(removeLostManagers: true)
        let (plan, _) = try ForceNewCluster(directory: directory, unlockKey: key, options: options).run()
        #expect(Set(plan.lostManagers.map(\.nodeID)) == Set(managersBefore.map(\.id).filter { $0 != nodeID }))

        let after = try NodeLoader(unlockKey: key).loadManager(directory)
        #expect(after.warnings.isEmpty)
        let nodes = try Self.nodes(after)
        // Only this manager is left of the managers; workers stay.
        #expect(nodes.values.filter { $0.spec.desiredRole == .manager }.map(\.id) == [nodeID])
        #expect(nodes.count == (try Self.nodes(before)).count - 2)
        guard case .cluster(let cluster)? = try after.cluster?.store.objects(.cluster).first?.decoded() else {
            Issue.record("no cluster object")
            return
        }
        // Their certificates can't be used to come back: blacklisted until they expire, or
        // for good when the node object carried none (swarmkit's rule too).
        let nodesBefore = try Self.nodes(before)
        for lost in plan.lostManagers {
            let entry = try #require(cluster.blacklistedCertificates[lost.nodeID])
            let pem = try #require(nodesBefore[lost.nodeID]).certificate.certificate
            if let expiry = CertificateExpiry.notAfter(pem: pem) {
                #expect(entry.hasExpiry && abs(entry.expiry.date.timeIntervalSince(expiry)) < 1)
            } else {
                #expect(!entry.hasExpiry)
            }
        }
        #expect(plan.lostManagers.contains { CertificateExpiry.notAfter(pem: nodesBefore[$0.nodeID]?.certificate.certificate ?? Data()) != nil })
        // No task is left running on a node that no longer exists.
        for object in try after.cluster?.store.decodedObjects(.task) ?? [] {
            guard case .task(let task) = object, plan.lostManagers.contains(where: { $0.nodeID == task.nodeID }) else { continue }
            #expect(task.status.state.rawValue >= SwarmTaskState.complete.rawValue)
        }
        // Services, secrets, configs and networks are untouched.
        for kind in [ObjectKind.service, .secret, .config, .network] {
            for object in before.cluster?.store.objects(kind) ?? [] {
                #expect(after.cluster?.store.get(kind, id: object.id)?.bytes == object.bytes)
            }
        }
        // Judged from outside, against swarmkit's own decoder's reading of the fixture: the two
        // lost managers' node objects are gone and every other node is as it read it; tasks on
        // the lost managers keep their ID, service, node, slot and desired state (their status
        // moves on, so does their version) and every other task is as it read it; the cluster
        // object keeps its ID and name (its blacklist grew, so its version moved on); every
        // other kind is exactly as it read it.
        let lostIDs = Set(plan.lostManagers.map(\.nodeID))
        let judged = Fixtures.goldenComparable(
            try GoldenStore.lines(after.cluster?.store), try Fixtures.goldenObjects(scenario, name),
            removedNodes: lostIDs, rewrittenKinds: ["cluster"])
        #expect(judged.got == judged.golden)
        #expect(judged.golden["node"]?.count == (try Self.nodes(before)).count - 2)

        // A second run finds nothing to do.
        let (again, _) = try ForceNewCluster(directory: directory, unlockKey: key, options: options).run()
        #expect(again.isNoOp)
    }

    @Test func dryRunOfBothChangesNothing() throws {
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let tree = try Fixtures.tree(folder.path)
        let options = ForceNewClusterOptions(
            advertiseAddress: try RequestedAddress(parsing: "192.0.2.7:4000"), removeLostManagers: true)
        let plan = try ForceNewCluster(directory: StateDirectory(path: folder.path), unlockKey: nil, options: options).plan()
        #expect(plan.addressChange?.to == "192.0.2.7:4000")
        #expect(plan.lostManagers.count == 2)
        // Two RemoveNode conf changes and one store entry; the address rides in a new snapshot.
        #expect(try plan.confChanges().map(\.change.type) == [.confChangeRemoveNode, .confChangeRemoveNode])
        #expect(plan.rebuildsSnapshot)
        #expect(plan.newHardState.commit == plan.hardState.commit + 2 + 1)
        #expect(try Fixtures.tree(folder.path) == tree)
    }

    /// What docker-state.json's ListenAddr becomes after a move.
    @Test func theListenAddressFollowsTheAdvertisedPort() throws {
        #expect(AddressFiles.listenAddress(current: "0.0.0.0:2377", advertise: "10.0.0.1:4000", requested: nil) == "0.0.0.0:4000")
        #expect(AddressFiles.listenAddress(current: "127.0.0.1:2377", advertise: "10.0.0.1:4000", requested: nil) == "10.0.0.1:4000")
        #expect(AddressFiles.listenAddress(current: nil, advertise: "10.0.0.1:2377", requested: nil) == "10.0.0.1:2377")
        let listen = try RequestedAddress(parsing: "0.0.0.0")
        #expect(AddressFiles.listenAddress(current: "127.0.0.1:2377", advertise: "10.0.0.1:4000", requested: listen) == "0.0.0.0:4000")
        let explicit = try RequestedAddress(parsing: "10.0.0.2:5000")
        #expect(AddressFiles.listenAddress(current: nil, advertise: "10.0.0.1:4000", requested: explicit) == "10.0.0.2:5000")
        #expect(AddressFiles.listenAddress(current: "[::]:2377", advertise: "[fd00::1]:4000", requested: nil) == "[::]:4000")
    }

    @Test func requestedAddressesKeepThePortUnlessGiven() throws {
        #expect(try RequestedAddress(parsing: "10.0.0.1").resolved(current: "127.0.0.1:4242").hostPort == "10.0.0.1:4242")
        #expect(try RequestedAddress(parsing: "10.0.0.1:2377").resolved(current: "127.0.0.1:4242").hostPort == "10.0.0.1:2377")
        #expect(try RequestedAddress(parsing: "fd00::1").resolved(current: "[fd00::2]:4000").hostPort == "[fd00::1]:4000")
        #expect(try RequestedAddress(parsing: "[fd00::1]:5000").resolved(current: nil).hostPort == "[fd00::1]:5000")
        #expect(throws: (any Error).self) { try RequestedAddress(parsing: "eth0") }
    }
}
