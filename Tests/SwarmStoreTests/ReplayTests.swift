import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore
import SwarmTestSupport
import SwiftProtobuf
import Testing

/// Replay of real manager folders, compared with swarmkit's own decoder (the goldens).
@Suite struct ReplayTests {
    static func replay(_ scenario: String, _ node: String) throws -> (RaftLog, ClusterState) {
        let directory = StateDirectory(path: Fixtures.folder(scenario, node).path)
        let unlockKey = try Fixtures.unlockKey(scenario).map { try UnlockKey(text: $0) }
        let keys = try NodeKeys.load(keyFile: directory.nodeKey, unlockKey: unlockKey)
        let log = try RaftLogLoader.load(directory, decrypter: keys.raftDecrypter)
        let local = try log.wal.metadata.map { try SwarmRaftMember(serializedBytes: $0) }
        return (log, try Replayer.replay(log, localMember: local))
    }

    /// Reads a golden path such as `spec.desired_role` off an object's canonical JSON.
    static func value(_ json: [String: Any], _ path: String) -> String? {
        var current: Any? = json
        for part in path.split(separator: ".") {
            let camel = part.split(separator: "_").enumerated()
                .map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
            current = (current as? [String: Any])?[camel]
        }
        return current.map { "\($0)" }
    }

    static let kinds: [(String, ObjectKind)] = [
        ("node", .node), ("service", .service), ("task", .task), ("network", .network),
        ("cluster", .cluster), ("secret", .secret), ("config", .config),
    ]

    @Test("objects equal swarmkit's reading: ids, versions, names and key fields", arguments: Fixtures.readManagers + [("after-force-new-cluster", "manager-2")])
    func objectsMatchGolden(scenario: String, node: String) throws {
        let (_, state) = try Self.replay(scenario, node)
        let golden = try Fixtures.golden(scenario, node)
        for (name, kind) in Self.kinds {
            let want = try #require(golden[name] as? [[String: Any]], "golden has no \(name)")
            let got = try state.store.decodedObjects(kind)
            #expect(Set(got.map(\.id)) == Set(want.compactMap { $0["id"] as? String }), "\(name) ids")
            let byID = Dictionary(uniqueKeysWithValues: got.map { ($0.id, $0) })
            for object in want {
                guard let id = object["id"] as? String, let ours = byID[id] else { continue }
                let json = try JSONSerialization.jsonObject(with: Data(ours.message.jsonString().utf8)) as? [String: Any] ?? [:]
                for (key, value) in object where key != "id" {
                    #expect(Self.value(json, key) == "\(value)", "\(name) \(id) \(key)")
                }
            }
        }
    }

    @Test("snapshot membership equals the golden, effective membership follows conf changes", arguments: Fixtures.readManagers + [("after-force-new-cluster", "manager-2")])
    func membership(scenario: String, node: String) throws {
        let (log, state) = try Self.replay(scenario, node)
        let golden = try #require(Fixtures.golden(scenario, node)["snapshot_members"] as? [String: Any])
        let active = try #require(golden["active"] as? [[String: String]])
        let want = Set(active.map { "\($0["NodeID"] ?? "") \($0["RaftID"] ?? "") \($0["Addr"] ?? "")" })
        let got = Set(state.snapshotMembership.members.map { "\($0.nodeID) \(String($0.raftID, radix: 16)) \($0.addr)" })
        #expect(got == want)
        #expect((golden["has_snapshot"] as? Bool) == (log.snapshot != nil))
        // Every effective member is a known manager node of the cluster.
        let managers = try Fixtures.expected(scenario)["nodes"] as? [String: String] ?? [:]
        for member in state.membership.members {
            #expect(managers.values.contains(member.nodeID), "member \(member.nodeID)")
            #expect(!member.addr.isEmpty)
        }
        #expect(state.membership.members.count == (scenario == "after-force-new-cluster" || scenario.hasSuffix("1mgr") || scenario == "single-manager" ? 1 : 3))
    }

    @Test func forceNewClusterLeavesOneMemberAndRemovesTheOthers() throws {
        let (log, state) = try Self.replay("after-force-new-cluster", "manager-2")
        let self_ = try #require(log.wal.metadata.map { try SwarmRaftMember(serializedBytes: $0) })
        #expect(state.membership.raftIDs == [self_.raftID])
        #expect(state.membership.members.first?.nodeID == "2nrzr0uk9plq76p1c37tv99ti")
        #expect(Set(state.membership.removed) == Set([0x59f1_8e07_1b6f_1cf7, 0x445f_9532_cf27_e2de]))
        #expect(state.voters == [self_.raftID])
        // Where swarmkit's own reading of the fixture says the log ends, all of it committed.
        let entries = try #require(Fixtures.golden("after-force-new-cluster", "manager-2")["wal_entries"] as? [String: Any])
        #expect(log.lastIndex == (entries["last"] as? Int).map(UInt64.init))
        #expect(log.hardState.commit == log.lastIndex)
    }

    @Test func countsEqualWhatTheClusterWasBuiltWith() throws {
        for (scenario, node) in Fixtures.readManagers {
            let (_, state) = try Self.replay(scenario, node)
            let expected = try Fixtures.expected(scenario)
            #expect(state.store.count(.service) == (expected["services"] as? [String: Int])?.count)
            #expect(state.store.count(.task) == expected["tasks"] as? Int)
            #expect(state.store.count(.secret) == (expected["secrets"] as? [String])?.count)
            #expect(state.store.count(.config) == (expected["configs"] as? [String])?.count)
            // The networks the operator made, plus ingress.
            #expect(state.store.count(.network) == ((expected["networks"] as? [String])?.count ?? 0) + 1)
            #expect(state.store.count(.node) == (expected["nodes"] as? [String: String])?.count)
            #expect(state.warnings.isEmpty, "\(state.warnings)")
        }
    }

    @Test func storedObjectsKeepTheirExactBytes() throws {
        let (_, state) = try Self.replay("ha-3mgr-snapshot", "manager-1")
        for object in state.store.objects(.service) {
            let typed = try object.decoded()
            #expect(typed.id == object.id)
            #expect(typed.meta.version.index == object.versionIndex)
            // Re-decoding the stored bytes loses nothing: no unknown fields anywhere.
            #expect(try SwarmService(serializedBytes: object.bytes).unknownFields.data.isEmpty)
        }
    }
}
