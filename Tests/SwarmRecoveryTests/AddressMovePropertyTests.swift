import Foundation
import SwarmConventions
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmRecovery
import SwarmStore
import SwarmTestSupport
import Testing

/// A recover with a new advertise address, to random addresses (IPv4 and IPv6, with and
/// without a port, with and without a `docker-state.json`), on real swarmkit folders: the new
/// address is in every place FORMAT.md §7 names and nowhere the old one was left, every other
/// object is what swarmkit's own decoder read from the fixture, and the same move twice is the
/// move once. Two moves per folder keep the run to a few seconds.
@Suite struct AddressMovePropertyTests {
    static let cases: [(scenario: String, node: String, seed: UInt64)] = [
        ("single-manager", "manager-1", 31), ("ha-3mgr-snapshot", "manager-1", 32),
        ("ha-3mgr-snapshot", "manager-2", 33), ("ha-3mgr-snapshot", "manager-3", 34),
    ]

    /// A move's address: mostly documentation ranges, written as an operator would.
    static func requested(_ random: inout SeededGenerator) -> String {
        let ip: String
        switch Int.random(in: 0..<3, using: &random) {
        case 0: ip = "192.0.2.\(Int.random(in: 1...254, using: &random))"
        case 1: ip = "10.\(Int.random(in: 0...255, using: &random)).\(Int.random(in: 0...255, using: &random)).\(Int.random(in: 1...254, using: &random))"
        default: ip = "2001:db8::" + String(Int.random(in: 1...0xFFFF, using: &random), radix: 16)
        }
        guard Bool.random(using: &random) else { return ip }
        let port = Int.random(in: 1024...65535, using: &random)
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// The `docker-state.json` a Docker-made folder would hold for the old address, or none
    /// (swarmkit's fixtures have none; the move must then write one).
    static func dockerState(oldIP: String, oldPort: UInt16, _ random: inout SeededGenerator) -> String? {
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return nil
        case 1:
            return #"{"LocalAddr":"\#(oldIP)","RemoteAddr":"","ListenAddr":"0.0.0.0:\#(oldPort)","AdvertiseAddr":"\#(oldIP):\#(oldPort)","DataPathAddr":"\#(oldIP)","DefaultAddressPool":null,"SubnetSize":24,"DataPathPort":4789,"JoinInProgress":false}"#
        default:
            return #"{"LocalAddr":"\#(oldIP)","RemoteAddr":"\#(oldIP):\#(oldPort)","ListenAddr":"\#(oldIP):\#(oldPort)","AdvertiseAddr":"\#(oldIP)","DataPathAddr":"","DefaultAddressPool":null,"SubnetSize":24,"DataPathPort":4789,"JoinInProgress":false}"#
        }
    }

    static func key(_ scenario: String) throws -> UnlockKey? {
        try Fixtures.unlockKey(scenario).map { try UnlockKey(parsing: $0, source: "test") }
    }

    static func nodeObject(_ node: LoadedNode, _ id: String) throws -> SwarmNode? {
        guard case .node(let object)? = try node.cluster?.store.get(.node, id: id)?.decoded() else { return nil }
        return object
    }

    /// `id version` by kind, as `Fixtures.goldenVersions` lists them.
    static func versions(_ node: LoadedNode) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for kind in ObjectKind.allCases where Fixtures.goldenKinds.contains("\(kind)") {
            result["\(kind)"] = Set((node.cluster?.store.objects(kind) ?? []).map { "\($0.id) \($0.versionIndex)" })
        }
        return result
    }

    @Test(arguments: cases)
    func movesReachEveryRecordAndRepeatAsNoOps(_ scenario: String, _ name: String, _ seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        // A folder of its own, so the moves' rollback copies beside it go with it.
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-move-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("swarm")
        #expect(Fixtures.run("/bin/cp", ["-a", Fixtures.folder(scenario, name).path, folder.path]) == 0)
        let key = try Self.key(scenario)
        let directory = StateDirectory(path: folder.path)
        let original = try NodeLoader(unlockKey: key).loadManager(directory)
        let local = try #require(original.localMember)
        let nodeID = try #require(original.certificates?.node.nodeID)
        let golden = try Fixtures.goldenVersions(scenario, name)
        #expect(Self.versions(original) == golden, "the fixture reads as swarmkit read it")
        let first = try AdvertiseAddress(parsing: try #require(original.cluster?.membership.member(local.raftID)?.addr))
        let docker = Self.dockerState(oldIP: first.ip, oldPort: first.port, &random)
        if let docker { try Data(docker.utf8).write(to: directory.dockerStateFile) }

        var previous = first
        var moves: [String] = []
        while moves.count < 2 {
            let text = Self.requested(&random)
            let requested = try RequestedAddress(parsing: text)
            guard requested.ip != previous.ip else { continue }
            moves.append(text)
            let place = "\(scenario)/\(name) seed \(seed), moves \(moves), docker-state.json \(docker ?? "none")"
            let target = try AdvertiseAddress(ip: requested.ip, port: requested.port ?? previous.port)
            let dockerBefore = try? DockerStateJSON.read(directory.dockerStateFile)
            let options = ForceNewClusterOptions(advertiseAddress: requested)
            let (plan, aside) = try ForceNewCluster(directory: directory, unlockKey: key, options: options).run()
            #expect(plan.addressChange?.to == target.hostPort, "\(place)")
            #expect(plan.addressChange?.from == previous.hostPort, "\(place)")
            #expect(aside != nil, "\(place)")

            let after = try NodeLoader(unlockKey: key).loadManager(directory)
            #expect(after.warnings.isEmpty, "\(place)")
            // The raft member, in the snapshot's membership (where swarmkit reads its own
            // address) with no entry after it, and in the membership after replay.
            let log = try #require(after.raft)
            #expect(log.snapshotIndex == log.lastIndex && log.hardState.commit == log.lastIndex, "\(place)")
            #expect(after.cluster?.snapshotMembership.members.map(\.addr) == [target.hostPort], "\(place)")
            #expect(after.cluster?.snapshotMembership.members.map(\.nodeID) == [nodeID], "\(place)")
            #expect(after.cluster?.membership.members.map(\.addr) == [target.hostPort], "\(place)")
            #expect(log.snapshot?.snapshot.metadata.confState.voters == [local.raftID], "\(place)")
            // The node object: the IP the overlay uses, and the manager status.
            let node = try #require(try Self.nodeObject(after, nodeID))
            #expect(node.status.addr == target.ip, "\(place)")
            if node.hasManagerStatus { #expect(node.managerStatus.addr == target.hostPort, "\(place)") }
            // state.json: only this manager, at the new address.
            #expect(after.knownManagers == [KnownManager(nodeID: nodeID, addr: target.hostPort)], "\(place)")
            // docker-state.json: advertised and listened on at the new address and port.
            let started = try #require(after.dockerState, "\(place)")
            #expect(started["AdvertiseAddr"] == target.hostPort, "\(place)")
            let oldListenHost = dockerBefore?["ListenAddr"].flatMap { try? AdvertiseAddress(parsing: $0) }?.ip
            let listenHost = oldListenHost == "0.0.0.0" ? "0.0.0.0" : target.ip
            #expect(started["ListenAddr"] == (try AdvertiseAddress(ip: listenHost, port: target.port)).hostPort, "\(place)")
            #expect(started["LocalAddr"] == target.ip, "\(place)")
            for key in ["DataPathAddr", "RemoteAddr"] {
                #expect(started[key] == Self.moved(dockerBefore?[key] ?? "", from: previous.ip, to: target.ip), "\(place): \(key)")
            }
            // Nothing in docker-state.json names the previous IP any more.
            for (key, value) in started.object {
                guard case .string(let text) = value else { continue }
                #expect(Self.host(text) != previous.ip, "\(place): \(key) \(text)")
            }

            // Every other object byte for byte, and as swarmkit's decoder read the fixture;
            // only this node's object has a new version.
            for kind in ObjectKind.allCases {
                for object in original.cluster?.store.objects(kind) ?? [] where !(kind == .node && object.id == nodeID) {
                    #expect(after.cluster?.store.get(kind, id: object.id)?.bytes == object.bytes, "\(place): \(kind) \(object.id)")
                }
            }
            var versions = Self.versions(after)
            var want = golden
            let selfVersion = { (entry: String) in entry.hasPrefix(nodeID + " ") }
            #expect(versions["node"]?.filter(selfVersion).count == 1, "\(place)")
            versions["node"] = versions["node"]?.filter { !selfVersion($0) }
            want["node"] = want["node"]?.filter { !selfVersion($0) }
            #expect(versions == want, "\(place)")
            #expect(after.cluster?.store.objects(.node).count == original.cluster?.store.objects(.node).count, "\(place)")

            // The same move again is the move once: nothing to do, nothing touched.
            let tree = try Fixtures.tree(folder.path)
            let (again, noAside) = try ForceNewCluster(directory: directory, unlockKey: key, options: options).run()
            #expect(again.isNoOp && noAside == nil, "\(place)")
            #expect(try Fixtures.tree(folder.path) == tree, "\(place)")
            previous = target
        }
    }

    /// The IP of `ip` or `ip:port` (IPv6 in brackets), nil for anything else.
    static func host(_ text: String) -> String? {
        (try? AdvertiseAddress(parsing: text))?.ip
    }

    /// An own-address value of `docker-state.json` after a move: its host replaced when it
    /// was the old IP, its port (if any) kept; empty stays empty.
    static func moved(_ value: String, from old: String, to new: String) -> String {
        guard let parts = try? AdvertiseAddress.parts(parsing: value), parts.ip == old else { return value }
        guard let port = parts.port, let address = try? AdvertiseAddress(ip: new, port: port) else { return new }
        return address.hostPort
    }
}
