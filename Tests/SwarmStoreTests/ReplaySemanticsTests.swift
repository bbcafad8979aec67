import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore
import SwarmTestSupport
import Testing

/// The fixtures' logs hold creates and updates only, so removals, conflicts and rewritten
/// tails are exercised here by appending entries to a copy of a real log.
@Suite struct ReplaySemanticsTests {
    struct Harness {
        let folder: URL
        let directory: StateDirectory
        let keys: NodeKeys

        init() throws {
            folder = Fixtures.copy("single-manager", "manager-1")
            directory = StateDirectory(path: folder.path)
            keys = try NodeKeys.load(keyFile: directory.nodeKey, unlockKey: nil)
        }

        func load() throws -> (RaftLog, ClusterState) {
            let log = try RaftLogLoader.load(directory, decrypter: keys.raftDecrypter)
            return (log, try Replayer.replay(log))
        }

        /// Appends normal entries, each holding the given actions, at the given indexes.
        func append(_ entries: [(index: UInt64, actions: [SwarmStoreAction])], term: UInt64 = 2) throws {
            let (log, _) = try load()
            let cipher = try #require(keys.raftCipher(fips: false))
            var raftEntries: [RaftEntry] = []
            for (index, actions) in entries {
                var request = SwarmInternalRaftRequest()
                request.id = index
                request.action = actions
                var entry = RaftEntry()
                entry.index = index
                entry.term = term
                entry.type = .entryNormal
                entry.data = try cipher.encryptSerialized(request.serializedBytes())
                raftEntries.append(entry)
            }
            var state = log.hardState
            state.commit = max(state.commit, entries.map(\.index).max() ?? 0)
            var writer = try WALWriter.open(directory: directory.walDirectory(.encrypted), at: WALStart())
            try writer.save(hardState: state, entries: raftEntries)
            try writer.close()
        }

        func cleanUp() { try? FileManager.default.removeItem(at: folder) }
    }

    static func action(_ kind: SwarmStoreActionKind, _ target: StoreObject) -> SwarmStoreAction {
        var action = SwarmStoreAction()
        action.action = kind
        action.target = target
        return action
    }

    @Test func removeDropsTheObject() throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        let (log, before) = try harness.load()
        let victim = try #require(before.store.decodedObjects(.service).first)
        try harness.append([(log.lastIndex + 1, [Self.action(.storeActionRemove, victim)])])
        let (_, after) = try harness.load()
        #expect(after.store.count(.service) == before.store.count(.service) - 1)
        #expect(!after.store.contains(.service, id: victim.id))
        #expect(after.warnings.isEmpty)
    }

    @Test func updateReplacesAndConflictsAreWarnings() throws {
        let harness = try Harness()
        defer { harness.cleanUp() }
        let (log, before) = try harness.load()
        guard case .service(var service)? = try before.store.decodedObjects(.service).first else {
            Issue.record("no service")
            return
        }
        service.meta.version.index = log.lastIndex + 1
        service.spec.annotations.labels["edited"] = "yes"
        var ghost = SwarmSecret()
        ghost.id = "nosuchsecret000000000000a"
        try harness.append([
            (log.lastIndex + 1, [Self.action(.storeActionUpdate, .service(service))]),
            (log.lastIndex + 2, [Self.action(.storeActionRemove, .secret(ghost))]),
        ])
        let (_, after) = try harness.load()
        guard case .service(let updated)? = try after.store.get(.service, id: service.id)?.decoded() else {
            Issue.record("service missing after update")
            return
        }
        #expect(updated.spec.annotations.labels["edited"] == "yes")
        #expect(after.store.get(.service, id: service.id)?.versionIndex == log.lastIndex + 1)
        #expect(after.warnings.map(\.index) == [log.lastIndex + 2])
    }

    @Test func aRewrittenTailReplacesTheEntriesAfterIt() throws {
        // A new leader overwrites uncommitted entries: the later entry at the same index wins
        // and everything after it is dropped.
        let harness = try Harness()
        defer { harness.cleanUp() }
        let (log, before) = try harness.load()
        let services = try before.store.decodedObjects(.service)
        let next = log.lastIndex + 1
        try harness.append([
            (next, [Self.action(.storeActionRemove, services[0])]),
            (next + 1, [Self.action(.storeActionRemove, services[1])]),
        ])
        try harness.append([(next, [Self.action(.storeActionRemove, services[2])])], term: 3)
        let (rewritten, after) = try harness.load()
        #expect(rewritten.lastIndex == next)
        #expect(rewritten.lastTerm == 3)
        #expect(after.store.contains(.service, id: services[0].id))
        #expect(after.store.contains(.service, id: services[1].id))
        #expect(!after.store.contains(.service, id: services[2].id))
    }
}
