import Foundation
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmRecovery
import SwarmStore
import SwarmTestSupport
import Testing

/// `key rotate | lock | unlock` on real folders: the node key and the cluster object must
/// agree afterwards, and only the new key opens the folder.
@Suite struct UnlockKeyChangeTests {
    static func cluster(_ node: LoadedNode) throws -> SwarmCluster? {
        guard case .cluster(let cluster)? = try node.cluster?.store.objects(.cluster).first?.decoded() else { return nil }
        return cluster
    }

    /// A recovered autolock-3mgr manager: the only voter, autolocked.
    static func lockedAlone() throws -> (URL, UnlockKey) {
        let folder = Fixtures.copy("autolock-3mgr", "manager-2")
        let key = try UnlockKey(parsing: try #require(Fixtures.unlockKey("autolock-3mgr")), source: "test")
        try ForceNewCluster.applyInPlace(to: StateDirectory(path: folder.path), unlockKey: key)
        return (folder, key)
    }

    /// Judged from outside: every object is what swarmkit's own decoder read from
    /// autolock-3mgr's manager-2, field by field. A key change rewrites the cluster object
    /// alone (its unlock keys and autolock flag, neither listed by the golden), so only the
    /// cluster's version may differ, and it must have moved on.
    static func expectGoldenBarTheClusterVersion(_ node: LoadedNode) throws {
        let judged = Fixtures.goldenComparable(
            try GoldenStore.lines(node.cluster?.store), try Fixtures.goldenObjects("autolock-3mgr", "manager-2"),
            rewrittenKinds: ["cluster"])
        #expect(judged.got == judged.golden)
        let version = { (lines: [String: Set<String>]) in lines["cluster"]?.first.flatMap(Fixtures.goldenVersion) ?? 0 }
        #expect(version(try GoldenStore.lines(node.cluster?.store)) > version(try Fixtures.goldenObjects("autolock-3mgr", "manager-2")))
    }

    @Test func rotateReplacesTheKeyEverywhere() throws {
        let (folder, old) = try Self.lockedAlone()
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = StateDirectory(path: folder.path)
        let before = try NodeLoader(unlockKey: old).loadManager(directory)
        let fresh = UnlockKey.random()
        let result = try UnlockKeyChange(directory: directory, currentKey: old, operation: .rotate, newKey: fresh).run()
        #expect(result.newKey == fresh)

        let after = try NodeLoader(unlockKey: fresh).loadManager(directory)
        #expect(after.warnings.isEmpty)
        #expect(after.keys?.isLocked == true)
        // The data key is the same (the log was not re-encrypted), only its wrapping changed.
        #expect(after.keys?.currentDEK == before.keys?.currentDEK)
        #expect(after.keys?.plainPrivateKey == before.keys?.plainPrivateKey)
        let cluster = try #require(try Self.cluster(after))
        #expect(cluster.spec.encryptionConfig.autoLockManagers)
        #expect(cluster.unlockKeys.map(\.key) == [fresh.kek.bytes])
        #expect(after.keys?.kekVersion == cluster.meta.version.index)
        #expect(after.raft?.lastIndex == result.index)
        try Self.expectGoldenBarTheClusterVersion(after)
        #expect(throws: KeyMaterialError.self) { try NodeLoader(unlockKey: old).loadManager(directory) }
        // The previous folder still opens with the old key: the rollback copy.
        #expect(try NodeLoader(unlockKey: old).loadManager(StateDirectory(path: result.previousMovedTo)).keys?.isLocked == true)
        try? FileManager.default.removeItem(atPath: result.previousMovedTo)
    }

    @Test func unlockThenLockRoundTrips() throws {
        let (folder, old) = try Self.lockedAlone()
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = StateDirectory(path: folder.path)
        let unlocked = try UnlockKeyChange(directory: directory, currentKey: old, operation: .unlock).run()
        #expect(unlocked.newKey == nil)
        let open = try NodeLoader(unlockKey: nil).loadManager(directory)
        #expect(open.keys?.isLocked == false)
        let cluster = try #require(try Self.cluster(open))
        #expect(!cluster.spec.encryptionConfig.autoLockManagers)
        #expect(cluster.unlockKeys.isEmpty)
        try Self.expectGoldenBarTheClusterVersion(open)
        // Locking an open folder is refused by rotate and unlock, accepted by lock.
        #expect(throws: UnlockKeyChangeError.self) {
            try UnlockKeyChange(directory: directory, currentKey: nil, operation: .rotate).check()
        }
        let locked = try UnlockKeyChange(directory: directory, currentKey: nil, operation: .lock).run()
        let key = try #require(locked.newKey)
        let closed = try NodeLoader(unlockKey: key).loadManager(directory)
        #expect(closed.keys?.isLocked == true)
        #expect(try Self.cluster(closed)?.unlockKeys.map(\.key) == [key.kek.bytes])
        try Self.expectGoldenBarTheClusterVersion(closed)
        #expect(throws: KeyMaterialError.self) { try NodeLoader(unlockKey: nil).loadManager(directory) }
        for aside in [unlocked.previousMovedTo, locked.previousMovedTo] { try? FileManager.default.removeItem(atPath: aside) }
    }

    @Test func aManagerWithPeersIsRefusedAndUntouched() throws {
        let folder = Fixtures.copy("autolock-3mgr", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try UnlockKey(parsing: try #require(Fixtures.unlockKey("autolock-3mgr")), source: "test")
        let tree = try Fixtures.tree(folder.path)
        #expect(throws: UnlockKeyChangeError.otherManagers(path: folder.path, count: 2)) {
            try UnlockKeyChange(directory: StateDirectory(path: folder.path), currentKey: key, operation: .rotate).run()
        }
        #expect(try Fixtures.tree(folder.path) == tree)
    }

    @Test func aWrongCurrentKeyChangesNothing() throws {
        let (folder, _) = try Self.lockedAlone()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tree = try Fixtures.tree(folder.path)
        #expect(throws: KeyMaterialError.self) {
            try UnlockKeyChange(
                directory: StateDirectory(path: folder.path), currentKey: UnlockKey.random(), operation: .rotate
            ).run()
        }
        #expect(try Fixtures.tree(folder.path) == tree)
    }
}
