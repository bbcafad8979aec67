import Foundation
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmRecovery
import SwarmStore
import SwarmTestSupport
import Testing

/// Each manager of the real 3-manager fixtures taken alone, the other two lost.
@Suite struct ForceNewClusterTests {
    static let managers = [
        ("ha-3mgr-snapshot", "manager-1"), ("ha-3mgr-snapshot", "manager-2"), ("ha-3mgr-snapshot", "manager-3"),
        ("autolock-3mgr", "manager-1"), ("autolock-3mgr", "manager-2"), ("autolock-3mgr", "manager-3"),
    ]

    static func key(_ scenario: String) throws -> UnlockKey? {
        try Fixtures.unlockKey(scenario).map { try UnlockKey(parsing: $0, source: "test") }
    }

    /// Every object as the bytes it is stored as, per kind and ID.
    static func objects(_ node: LoadedNode) -> [String: Data] {
        var result: [String: Data] = [:]
        for kind in ObjectKind.allCases {
            for object in node.cluster?.store.objects(kind) ?? [] { result["\(kind)/\(object.id)"] = object.bytes }
        }
        return result
    }

    /// `id version` by kind, as `Fixtures.goldenVersions` lists them.
    static func versions(_ node: LoadedNode) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for kind in ObjectKind.allCases where Fixtures.goldenKinds.contains("\(kind)") {
            result["\(kind)"] = Set((node.cluster?.store.objects(kind) ?? []).map { "\($0.id) \($0.versionIndex)" })
        }
        return result
    }

    @Test(arguments: managers)
    func aLoneManagerBecomesAOneManagerCluster(_ scenario: String, _ node: String) throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-fnc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("swarm").path
        #expect(Fixtures.run("/bin/cp", ["-a", Fixtures.folder(scenario, node).path, folder]) == 0)
        let key = try Self.key(scenario)
        let original = try Fixtures.tree(folder)
        let before = try NodeLoader(unlockKey: key).loadManager(StateDirectory(path: folder))
        let beforeLog = try #require(before.raft)

        let (plan, aside) = try ForceNewCluster(directory: StateDirectory(path: folder), unlockKey: key).run()
        #expect(plan.removed.count == 2)
        #expect(!plan.addsSelf)

        let after = try NodeLoader(unlockKey: key).loadManager(StateDirectory(path: folder))
        let log = try #require(after.raft)
        let local = try #require(before.localMember)
        #expect(after.cluster?.membership.members.map(\.raftID) == [local.raftID])
        #expect(Set(after.cluster?.membership.removed ?? []) == Set(plan.removed.map(\.raftID)))
        // A sane hard state: same term, commit at the last entry, vote a member or none.
        #expect(log.hardState.term == beforeLog.hardState.term)
        #expect(log.hardState.commit == log.lastIndex)
        #expect(log.lastIndex == beforeLog.hardState.commit + 2)
        #expect(log.hardState.vote == 0 || log.hardState.vote == local.raftID)
        #expect(log.lastTerm <= log.hardState.term)
        #expect(after.knownManagers.map(\.nodeID) == [try #require(before.certificates?.node.nodeID)])
        // The appended entries are conf changes removing exactly the lost managers, in order.
        var appended: [UInt64] = []
        try log.forEachEntry(in: (beforeLog.hardState.commit + 1)...log.lastIndex) { entry in
            #expect(entry.type == .entryConfChange)
            let change = try RaftConfChange(serializedBytes: entry.payload)
            #expect(change.type == .confChangeRemoveNode)
            appended.append(change.nodeID)
        }
        #expect(appended == plan.removed.map(\.raftID))
        #expect(appended == appended.sorted())
        // Every object as it was (nothing uncommitted was dropped in these fixtures).
        #expect(plan.droppedEntries == 0)
        #expect(Self.objects(after) == Self.objects(before))
        // … and as swarmkit's own decoder read them from the fixture.
        #expect(Self.versions(after) == (try Fixtures.goldenVersions(scenario, node)))
        #expect(try GoldenStore.lines(after.cluster?.store) == Fixtures.goldenObjects(scenario, node))
        // The rollback copy is the original folder, byte for byte.
        let previous = try #require(aside)
        #expect(try Fixtures.tree(previous) == original)

        // A second recover is a no-op and changes nothing.
        let recovered = try Fixtures.tree(folder)
        let (again, noAside) = try ForceNewCluster(directory: StateDirectory(path: folder), unlockKey: key).run()
        #expect(again.isNoOp)
        #expect(noAside == nil)
        #expect(try Fixtures.tree(folder) == recovered)
    }

    /// swarmkit's own force-new-cluster of ha-3mgr-snapshot's manager-2 (reference.tar.gz)
    /// appended the same conf changes at the same indexes and term as we do.
    @Test func matchesSwarmkitsOwnForceNewCluster() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-fnc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("swarm").path
        #expect(Fixtures.run("/bin/cp", ["-a", Fixtures.folder("ha-3mgr-snapshot", "manager-2").path, folder]) == 0)
        let (plan, _) = try ForceNewCluster(directory: StateDirectory(path: folder), unlockKey: nil).run()

        let reference = try NodeLoader(unlockKey: nil).loadManager(
            StateDirectory(path: Fixtures.folder("after-force-new-cluster", "manager-2").path), replay: false)
        let ours = try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: folder), replay: false)
        let range = (plan.hardState.commit + 1)...(plan.newHardState.commit)
        func changes(_ node: LoadedNode) throws -> [(UInt64, UInt64, Data)] {
            var result: [(UInt64, UInt64, Data)] = []
            try node.raft?.forEachEntry(in: range) { result.append(($0.index, $0.term, $0.payload)) }
            return result
        }
        let theirs = try changes(reference)
        let mine = try changes(ours)
        #expect(theirs.count == 2)
        #expect(mine.map(\.0) == theirs.map(\.0))
        #expect(mine.map(\.1) == theirs.map(\.1))
        // The decrypted conf changes, byte for byte.
        #expect(mine.map(\.2) == theirs.map(\.2))
        // state.json lists only this manager, byte for byte as swarmkit left it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/state.json"))
            == Data(contentsOf: Fixtures.folder("after-force-new-cluster", "manager-2").appendingPathComponent("state.json")))
        // And the same members survive and are removed.
        #expect(ours.raft.map { try? Replayer.replay($0, localMember: ours.localMember).membership.members.map(\.raftID) }
            == reference.raft.map { try? Replayer.replay($0, localMember: reference.localMember).membership.members.map(\.raftID) })
    }
}
