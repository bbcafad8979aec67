import Foundation
@testable import SwarmBackup
import SwarmFormats
import SwarmTestSupport
import Testing
import SwarmNode

/// What a busy manager can do to its folder while a backup copies it, staged exactly.
@Suite struct StateCaptureTests {
    static let segment = "raft/wal-v3-encrypted/0000000000000000-0000000000000000.wal"

    /// Judged from outside: the captured copy holds what swarmkit's own decoder read from the
    /// fixture, object by object and field by field (`Fixtures.goldenObjects`).
    static func expectGolden(_ captured: CapturedState, _ scenario: String, _ node: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let copy = try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: captured.workDirectory.path))
        #expect(try GoldenStore.lines(copy.cluster?.store) == Fixtures.goldenObjects(scenario, node), sourceLocation: sourceLocation)
    }

    static func dataEnd(_ folder: URL) throws -> Int {
        try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: folder.path), replay: false).raft?.wal.end.offset ?? -1
    }

    /// swarmkit rotating the DEK rewrites the key file: a copy that straddles it is retried.
    @Test func keyFileChangedDuringTheCopyIsRetried() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyPath = folder.appendingPathComponent("certificates/swarm-node.key").path
        let original = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        var capture = StateCapture(source: StateDirectory(path: folder.path), unlockKey: nil)
        capture.afterCopyingLog = { attempt in
            // A different file with the same key: what a rotation's rewrite looks like to us.
            if attempt == 1 { try? (original + Data("\n".utf8)).write(to: URL(fileURLWithPath: keyPath)) }
        }
        let captured = try capture.capture()
        #expect(captured.attempts == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: captured.workDirectory.path + "/certificates/swarm-node.key")) == original + Data("\n".utf8))
        try Self.expectGolden(captured, "single-manager", "manager-1")
    }

    @Test func aKeyThatNeverSettlesFailsAfterTheLastAttempt() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyPath = folder.appendingPathComponent("certificates/swarm-node.key").path
        let original = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        var capture = StateCapture(source: StateDirectory(path: folder.path), unlockKey: nil, maxAttempts: 3)
        capture.afterCopyingLog = { attempt in
            try? (original + Data(repeating: 0x0a, count: attempt)).write(to: URL(fileURLWithPath: keyPath))
        }
        #expect(throws: CaptureError.self) { try capture.capture() }
        // Its working copies are gone.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(".\(folder.lastPathComponent).swarmsafe-") }
        #expect(leftovers == [])
    }

    /// A record still being written (its length word is out, part of its bytes are not) is
    /// cut off the copy; everything before it is kept.
    @Test func aRecordInFlightIsCutOff() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let end = try Self.dataEnd(folder)
        let handle = try FileHandle(forUpdating: folder.appendingPathComponent(Self.segment))
        try handle.seek(toOffset: UInt64(end))
        // A 2000-byte record whose first 600 bytes reached the disk.
        var frame = Data(withUnsafeBytes(of: UInt64(2000).littleEndian) { Data($0) })
        frame += Data(repeating: 0x5a, count: 600)
        try handle.write(contentsOf: frame)
        try handle.close()

        let captured = try StateCapture(source: StateDirectory(path: folder.path), unlockKey: nil).capture()
        let copied = try Data(contentsOf: URL(fileURLWithPath: captured.workDirectory.path + "/" + Self.segment))
        #expect(copied.count == end)
        #expect(try Data(contentsOf: folder.appendingPathComponent(Self.segment)).prefix(end) == copied)
        #expect(captured.node.raft?.wal.tornTail == nil)
        #expect(!captured.warnings.contains { $0.contains("torn") })
        try Self.expectGolden(captured, "single-manager", "manager-1")
    }

    /// etcd writes a snapshot file in place: a newer one still being written is passed over
    /// for the newest complete one, with a warning naming it.
    @Test func aSnapshotBeingWrittenIsPassedOver() throws {
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let snapDirectory = folder.appendingPathComponent("raft/snap-v3-encrypted")
        let existing = try #require(try FileManager.default.contentsOfDirectory(atPath: snapDirectory.path).sorted().last)
        let bytes = try Data(contentsOf: snapDirectory.appendingPathComponent(existing))
        let newer = "0000000000000002-00000000000fffff.snap"
        try bytes.prefix(bytes.count / 2).write(to: snapDirectory.appendingPathComponent(newer))

        let captured = try StateCapture(source: StateDirectory(path: folder.path), unlockKey: nil).capture()
        #expect(captured.files.contains("raft/snap-v3-encrypted/" + existing))
        #expect(!captured.files.contains("raft/snap-v3-encrypted/" + newer))
        #expect(captured.warnings.contains { $0.contains(newer) && $0.contains("previous snapshot was used") })
        #expect(captured.node.raft?.snapshot?.name.fileName == existing)
        try Self.expectGolden(captured, "ha-3mgr-snapshot", "manager-1")
    }

    /// The preallocated zeros and etcd's next `N.tmp` segment are not data.
    @Test func preallocationIsNotCopied() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(repeating: 0, count: 1 << 20).write(to: folder.appendingPathComponent("raft/wal-v3-encrypted/0.tmp"))
        let captured = try StateCapture(source: StateDirectory(path: folder.path), unlockKey: nil).capture()
        #expect(!captured.files.contains { $0.hasSuffix(".tmp") })
        let copied = try FileManager.default.attributesOfItem(atPath: captured.workDirectory.path + "/" + Self.segment)[.size] as? Int
        #expect(copied == (try Self.dataEnd(folder)))
        #expect((copied ?? 0) < 64_000_000)
        try Self.expectGolden(captured, "single-manager", "manager-1")
    }
}

/// What a killed backup leaves behind is cleared by the next one, and nothing else is.
@Suite struct AbandonedFilesTests {
    @Test func theNextBackupRemovesAKilledRunsLeftovers() throws {
        let scratch = Scratch()
        let repo = scratch.path("repo")
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        let partial = repo + "/.swarm-abc-def-20261123T154501.123Z.tar.zst.partial-999999"
        let foreign = repo + "/.notes.partial-1"
        try Data("x".utf8).write(to: URL(fileURLWithPath: partial))
        try Data("x".utf8).write(to: URL(fileURLWithPath: foreign))
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A working copy of a run whose pid cannot exist (above the largest pid_max, 2^22).
        let stale = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).swarmsafe-backup-4194399-deadbeef")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)

        let result = try BackupRunner(request: BackupRequest(stateDirectory: StateDirectory(path: folder.path), repository: repo)).run()
        #expect(!FileManager.default.fileExists(atPath: partial))
        #expect(FileManager.default.fileExists(atPath: foreign))
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: repo).sorted()
            == [".notes.partial-1", ".swarmsafe.lock", result.name.fileName].sorted())
    }
}
