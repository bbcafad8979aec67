import Foundation
import SwarmFormats
import SwarmHistory
import SwarmNode
import SwarmProto
import SwarmRecovery
import SwarmStore
import SwarmTestSupport
import Testing

/// `recover --rewind-to`: a real fixture put back to an earlier index.
@Suite struct RewindTests {
    static func key(_ scenario: String) throws -> UnlockKey? {
        try Fixtures.unlockKey(scenario).map { try UnlockKey(parsing: $0, source: "test") }
    }

    /// A private copy at `<scratch>/swarm`; the scratch folder is returned for cleanup.
    static func copy(_ scenario: String, _ node: String) throws -> (parent: URL, folder: String) {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-rewind-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let folder = parent.appendingPathComponent("swarm").path
        #expect(Fixtures.run("/bin/cp", ["-a", Fixtures.folder(scenario, node).path, folder]) == 0)
        return (parent, folder)
    }

    static func load(_ folder: String, _ scenario: String) throws -> LoadedNode {
        try NodeLoader(unlockKey: key(scenario)).loadManager(StateDirectory(path: folder), replay: true)
    }

    /// The bytes entry `index` stored for its first action's object.
    static func object(in log: RaftLog, at index: UInt64) throws -> StoredObject? {
        var found: StoredObject?
        try log.forEachEntry(in: index...index) { entry in
            let request = try SwarmRawInternalRaftRequest(serializedBytes: entry.payload)
            if let target = request.action.first?.target {
                let (kind, bytes) = target.kindAndBytes
                found = try StoredObject(kind: kind, bytes: bytes)
            }
        }
        return found
    }

    @Test func rewindingBeforeAnUpdateGivesTheOldSpec() throws {
        let (parent, folder) = try Self.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let original = try Fixtures.tree(folder)
        let before = try Self.load(folder, "single-manager")
        let log = try #require(before.raft)
        // Entry 15 creates web-0, entry 16 updates it.
        let created = try #require(try Self.object(in: log, at: 15))
        let current = try #require(before.cluster?.store.get(.service, id: created.id))
        #expect(current.bytes != created.bytes)

        let result = try Rewind(directory: StateDirectory(path: folder), index: 15, unlockKey: nil).run()
        #expect(result.plan.droppedEntries == 13)
        let after = try Self.load(folder, "single-manager")
        let rewound = try #require(after.raft)
        #expect(after.cluster?.store.get(.service, id: created.id)?.bytes == created.bytes)
        #expect(rewound.lastIndex == 15)
        #expect(rewound.hardState.commit == 15)
        #expect(rewound.hardState.term == log.hardState.term)
        #expect(rewound.hardState.vote == log.hardState.vote)
        #expect(after.cluster?.store.count(.service) == 1)
        // Judged from outside by swarmkit's own decoder's reading of the fixture: nothing from
        // after 15, every object as it read it or at an older version.
        try GoldenStore.expect(after.cluster?.store, cutAt: 15, of: Fixtures.goldenObjects("single-manager", "manager-1"))
        #expect(after.warnings.isEmpty, "\(after.warnings)")
        // WAL metadata and every kept entry's stored (encrypted) bytes are unchanged.
        #expect(rewound.wal.metadata == log.wal.metadata)
        for (old, new) in zip(log.entries.prefix(15), rewound.entries) {
            #expect(try rewound.wal.raftEntry(new) == log.wal.raftEntry(old))
        }
        // The previous folder is kept, untouched, beside it.
        let aside = try #require(result.previousMovedTo)
        #expect(aside.hasPrefix(folder + ".swarmsafe-old-"))
        #expect(try Fixtures.tree(aside) == original)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted() == ["swarm", (aside as NSString).lastPathComponent].sorted())
    }

    @Test(arguments: [
        ("ha-3mgr-snapshot", "manager-1", UInt64(121)), ("ha-3mgr-snapshot", "manager-3", 120),
        ("autolock-3mgr", "manager-2", 55), ("single-manager", "manager-1", 20),
    ])
    func theRewoundFolderLoadsAsTheStateAtN(_ scenario: String, _ node: String, _ index: UInt64) throws {
        let (parent, folder) = try Self.copy(scenario, node)
        defer { try? FileManager.default.removeItem(at: parent) }
        let before = try Self.load(folder, scenario)
        let expected = try before.state(at: index)
        let plan = try Rewind(directory: StateDirectory(path: folder), index: index, unlockKey: Self.key(scenario)).run().plan
        let after = try Self.load(folder, scenario)
        let log = try #require(after.raft)
        #expect(log.hardState.commit == index)
        #expect(log.lastIndex == index)
        #expect(log.snapshotIndex == before.raft?.snapshotIndex)
        #expect(log.hardState == plan.newHardState)
        #expect(log.hardState.term >= log.lastTerm)
        #expect(log.hardState.vote == 0 || after.cluster?.voters.contains(log.hardState.vote) == true)
        #expect(after.cluster?.membership == expected.membership)
        let store = try #require(after.cluster?.store)
        #expect(try StoreDiff.compare(expected.store, store).isEmpty)
        for kind in ObjectKind.allCases {
            #expect(store.objects(kind).map(\.bytes) == expected.store.objects(kind).map(\.bytes))
        }
        // Judged from outside as well as by our own history: swarmkit's decoder's reading of
        // the fixture, cut at `index`.
        try GoldenStore.expect(store, cutAt: index, of: Fixtures.goldenObjects(scenario, node))
    }

    @Test func refusesAnIndexOutsideTheLog() throws {
        let (parent, folder) = try Self.copy("ha-3mgr-snapshot", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let original = try Fixtures.tree(folder)
        for index: UInt64 in [119, 1, 126] {
            #expect {
                try Rewind(directory: StateDirectory(path: folder), index: index, unlockKey: nil).run()
            } throws: { error in
                guard let error = error as? LogIndexOutOfRange else { return false }
                return error.first == 120 && error.last == 125 && error.description.contains("from 120 to 125")
            }
        }
        #expect(try Fixtures.tree(folder) == original)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["swarm"])
    }

    @Test func theLastIndexWithEverythingCommittedIsANoOp() throws {
        let (parent, folder) = try Self.copy("ha-3mgr-snapshot", "manager-2")
        defer { try? FileManager.default.removeItem(at: parent) }
        let original = try Fixtures.tree(folder)
        let last = try #require(Self.load(folder, "ha-3mgr-snapshot").raft).lastIndex
        let result = try Rewind(directory: StateDirectory(path: folder), index: last, unlockKey: nil).run()
        #expect(result.plan.isNoOp)
        #expect(result.previousMovedTo == nil)
        #expect(try Fixtures.tree(folder) == original)
    }

    @Test func planningChangesNothing() throws {
        let (parent, folder) = try Self.copy("autolock-3mgr", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let original = try Fixtures.tree(folder, directories: true)
        let plan = try Rewind(directory: StateDirectory(path: folder), index: 52, unlockKey: Self.key("autolock-3mgr")).plan()
        #expect(plan.droppedEntries == 10)
        #expect(plan.newHardState.commit == 52)
        #expect(!plan.changes.isEmpty)
        #expect(try Fixtures.tree(folder, directories: true) == original)
    }

    @Test func rewindThenForceNewCluster() throws {
        let (parent, folder) = try Self.copy("ha-3mgr-snapshot", "manager-2")
        defer { try? FileManager.default.removeItem(at: parent) }
        let result = try Rewind(directory: StateDirectory(path: folder), index: 121, unlockKey: nil, forceNewCluster: true).run()
        let recovery = try #require(result.recovery)
        #expect(recovery.removed.count == 2)
        let after = try Self.load(folder, "ha-3mgr-snapshot")
        let log = try #require(after.raft)
        #expect(log.lastIndex == 123)
        #expect(log.hardState.commit == 123)
        #expect(after.cluster?.membership.members.count == 1)
        // Membership changes only: the store is swarmkit's reading of the fixture, cut at 121.
        try GoldenStore.expect(after.cluster?.store, cutAt: 121, of: Fixtures.goldenObjects("ha-3mgr-snapshot", "manager-2"))
    }
}
