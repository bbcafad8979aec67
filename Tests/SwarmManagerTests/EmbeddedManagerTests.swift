import Foundation
import SwarmFormats
import SwarmConventions
import SwarmInit
import SwarmManager
import SwarmNode
import SwarmProto
import SwarmRecovery
import SwarmStore
import SwarmTestSupport
import Testing

/// The embedded manager on real swarmkit folders: what it writes must read back through our
/// own loader as swarmkit's log would, and survive a restart.
@Suite struct EmbeddedManagerTests {
    static func secret(_ name: String) -> StoreObject {
        var generator = SystemRandomNumberGenerator()
        var secret = SwarmSecret()
        secret.id = SwarmID.random(using: &generator)
        secret.spec.annotations.name = name
        secret.spec.data = Data("not for logs".utf8)
        return .secret(secret)
    }

    static func service(_ name: String, replicas: UInt64) -> SwarmService {
        var generator = SystemRandomNumberGenerator()
        var service = SwarmService()
        service.id = SwarmID.random(using: &generator)
        service.spec.annotations.name = name
        service.spec.task.container.image = "nginx:alpine"
        var mode = SwarmReplicatedService()
        mode.replicas = replicas
        service.spec.replicated = mode
        return service
    }

    static func tasks(of serviceID: String, in store: ObjectStore) throws -> [SwarmTask] {
        try store.tasks().filter { $0.serviceID == serviceID }
    }

    @Test func writesAreEntriesThatSurviveARestart() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = StateDirectory(path: folder.path)
        let before = try NodeLoader(unlockKey: nil).loadManager(directory)
        let beforeLog = try #require(before.raft)

        let manager = try EmbeddedManager(directory: directory, unlockKey: nil)
        let booted = try manager.view()
        // Booting is an election: a new term, and the leader's empty entry committed.
        #expect(booted.term == max(beforeLog.hardState.term, beforeLog.lastTerm) + 1)
        #expect(booted.commitIndex == beforeLog.lastIndex + 1)

        let secret = Self.secret("db-password")
        try manager.update { try $0.create(secret) }
        let service = Self.service("web", replicas: 3)
        try manager.update { try $0.create(.service(service)) }
        let afterCreate = try manager.view()
        let created = try Self.tasks(of: service.id, in: afterCreate.store)
        #expect(created.map(\.slot).sorted() == [1, 2, 3])
        // The allocation pass took them on: no network to join, so straight to the scheduler,
        // which put them on this manager's node.
        let selfNodeID = afterCreate.selfNodeID
        #expect(created.allSatisfy { $0.desiredState == .running && $0.status.state == .assigned && $0.nodeID == selfNodeID })
        #expect(afterCreate.commitIndex == booted.commitIndex + 2)

        var scaled = service
        scaled.spec.replicated.replicas = 1
        try manager.update { tx in
            guard case .service(let stored)? = tx.get(.service, id: service.id) else { throw StoreTransactionError.notFound(kind: "service", id: service.id) }
            var changed = stored
            changed.spec = scaled.spec
            try tx.update(.service(changed))
        }
        // Scaled down: the surplus tasks reached a node, so they are asked to go (REMOVE), as
        // swarmkit's orchestrator does, rather than deleted.
        let live = { (store: ObjectStore) in try Self.tasks(of: service.id, in: store).filter { $0.desiredState == .running } }
        #expect(try live(manager.view().store).map(\.slot) == [1])
        #expect(try Self.tasks(of: service.id, in: manager.view().store).filter { $0.desiredState == .remove }.count == 2)
        try manager.close()

        // Our loader reads swarmkit's format: it must see exactly what the manager committed.
        let after = try NodeLoader(unlockKey: nil).loadManager(directory)
        let log = try #require(after.raft)
        #expect(after.warnings.isEmpty)
        #expect(log.hardState.commit == log.lastIndex)
        #expect(log.hardState.vote == before.localMember?.raftID)
        #expect(log.lastIndex == afterCreate.commitIndex + 1)
        let store = try #require(after.cluster?.store)
        #expect(store.contains(.secret, id: secret.id))
        #expect(store.get(.service, id: service.id)?.bytes == (try manager.viewAfterClose(service.id)))
        #expect(try live(store).map(\.slot) == [1])
        // Everything that was there before is still there, byte for byte, except what the
        // allocator works on: networks get pools, nodes their network attachments.
        for kind in ObjectKind.allCases where ![.task, .network, .node].contains(kind) {
            for object in before.cluster?.store.objects(kind) ?? [] {
                #expect(store.get(kind, id: object.id)?.bytes == object.bytes)
            }
        }

        // A second boot continues the log where the first left it.
        let again = try EmbeddedManager(directory: directory, unlockKey: nil)
        #expect(try again.view().store.contains(.secret, id: secret.id))
        #expect(try again.view().commitIndex == log.lastIndex + 1)
        try again.close()
    }

    @Test func aFolderWithOtherVotersIsRefused() throws {
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Fixtures.tree(folder.path)
        #expect {
            try EmbeddedManager(directory: StateDirectory(path: folder.path), unlockKey: nil)
        } throws: { error in
            guard case ManagerError.otherVoters(_, let voters) = error else { return false }
            return voters.count == 2 && "\(error)".contains("recover --force-new-cluster")
        }
        #expect(try Fixtures.tree(folder.path) == original)
    }

    @Test func readOnlyChangesNothing() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Fixtures.tree(folder.path)
        let manager = try EmbeddedManager(
            directory: StateDirectory(path: folder.path), unlockKey: nil, options: .init(readOnly: true))
        #expect(try manager.view().store.count(.service) > 0)
        #expect(throws: ManagerError.readOnly) { try manager.update { try $0.create(Self.secret("x")) } }
        try manager.close()
        #expect(try Fixtures.tree(folder.path) == original)
    }

    @Test func aLockedFolderWaitsForItsKey() throws {
        let folder = Fixtures.copy("autolock-3mgr", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyText = try #require(Fixtures.unlockKey("autolock-3mgr"))
        let key = try UnlockKey(parsing: keyText, source: "test")
        // Three voters: boot a recovered copy, as an operator would.
        let directory = StateDirectory(path: folder.path)
        try ForceNewCluster.applyInPlace(to: directory, unlockKey: key)
        let manager = try EmbeddedManager(directory: directory, unlockKey: nil)
        #expect(manager.isLocked)
        #expect(throws: ManagerError.locked) { try manager.view() }
        #expect(throws: KeyMaterialError.self) {
            try manager.unlock(UnlockKey(parsing: "SWMKEY-1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", source: "test"))
        }
        try manager.unlock(key)
        #expect(!manager.isLocked)
        #expect(try manager.view().unlockKey != nil)
        try manager.update { try $0.create(Self.secret("after-unlock")) }
        try manager.close()
        let after = try NodeLoader(unlockKey: key).loadManager(directory)
        #expect(after.cluster?.store.objects(.secret).contains { (try? $0.decoded().name) == "after-unlock" } == true)
    }

    @Test("two unlocks at once boot the manager once: one opens it, the other finds it open")
    func concurrentUnlocksBootOnce() async throws {
        let folder = Fixtures.copy("autolock-3mgr", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try UnlockKey(parsing: try #require(Fixtures.unlockKey("autolock-3mgr")), source: "test")
        let directory = StateDirectory(path: folder.path)
        try ForceNewCluster.applyInPlace(to: directory, unlockKey: key)
        let manager = try EmbeddedManager(directory: directory, unlockKey: nil)
        // Before the write lock, the second boot failed on the WAL locks the first one held.
        let opened = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<2 { group.addTask { try await manager.offloadedUnlock(key) } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(opened.filter { $0 }.count == 1 && opened.count == 2)
        try manager.update { try $0.create(Self.secret("after-unlock")) }
        try manager.close()
    }

    @Test("a read does not wait for a write in progress (which holds the write lock across its fsync)")
    func readsDoNotWaitForWrites() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manager = try EmbeddedManager(directory: StateDirectory(path: folder.path), unlockKey: nil)
        let before = try manager.view().commitIndex
        let inWrite = DispatchSemaphore(value: 0)
        let finishWrite = DispatchSemaphore(value: 0)
        let written = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? manager.update { transaction in
                inWrite.signal()
                finishWrite.wait()
                try transaction.create(Self.secret("slow-write"))
            }
            written.signal()
        }
        inWrite.wait()
        let read = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            if (try? manager.view().commitIndex) == before { read.signal() }
        }
        // A liveness check, not a timing one: before the write lock, this read waited until
        // the write ended, so it could never be answered while the write is held open.
        #expect(read.wait(timeout: .now() + 30) == .success)
        finishWrite.signal()
        written.wait()
        #expect(try manager.view().commitIndex == before + 1)
        try manager.close()
    }

    @Test func aSnapshotIsCutAtTheClustersInterval() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = StateDirectory(path: folder.path)
        let manager = try EmbeddedManager(directory: directory, unlockKey: nil)
        // A small interval, set the way an operator sets it: through the cluster object.
        try manager.update { tx in
            guard case .cluster(var cluster)? = try tx.store.objects(.cluster).first?.decoded() else {
                throw StoreTransactionError.notFound(kind: "cluster", id: "default")
            }
            cluster.spec.raft.snapshotInterval = 5
            try tx.update(.cluster(cluster))
        }
        for i in 0..<6 { try manager.update { try $0.create(Self.secret("s\(i)")) } }
        let view = try manager.view()
        #expect(view.snapshotIndex > 0)
        #expect(view.commitIndex - view.snapshotIndex < 5)
        try manager.close()
        let after = try NodeLoader(unlockKey: nil).loadManager(directory)
        let log = try #require(after.raft)
        #expect(log.snapshotIndex == view.snapshotIndex)
        #expect(after.warnings.isEmpty)
        #expect(after.cluster?.store.count(.secret) == view.store.count(.secret))
        #expect(log.lastIndex == view.commitIndex)
    }
}

extension EmbeddedManager {
    /// The service's bytes as the manager held them when it stopped.
    fileprivate func viewAfterClose(_ id: String) throws -> Data? {
        try view().store.get(.service, id: id)?.bytes
    }
}

extension EmbeddedManager {
    /// `unlock` as the Engine API calls it: on the manager's own thread.
    fileprivate func offloadedUnlock(_ key: UnlockKey) async throws -> Bool {
        try await offload { try self.unlock(key) }
    }
}
