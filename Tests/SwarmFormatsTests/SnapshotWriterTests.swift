import Foundation
import SwarmFormats
import SwarmProto
import SwarmTestSupport
import Testing

@Suite struct SnapshotWriterTests {
    /// Every fixture manager that has a snapshot file.
    static let withSnapshots: [(String, String)] = [
        ("ha-3mgr-snapshot", "manager-1"), ("ha-3mgr-snapshot", "manager-2"), ("ha-3mgr-snapshot", "manager-3"),
        ("autolock-3mgr", "manager-1"), ("autolock-3mgr", "manager-2"), ("autolock-3mgr", "manager-3"),
        ("after-force-new-cluster", "manager-2"),
    ]

    static func snapshotFile(_ scenario: String, _ node: String) throws -> (URL, SnapshotName) {
        let directory = Fixtures.folder(scenario, node).appendingPathComponent("raft/snap-v3-encrypted")
        let name = try #require(try SnapshotReader(directory: directory).snapshotNames().last)
        return (directory.appendingPathComponent(name.fileName), name)
    }

    @Test("a real snapshot file re-encodes from its decoded parts (payload kept encrypted) to its exact bytes", arguments: withSnapshots)
    func reencodesByteForByte(scenario: String, node: String) throws {
        let (file, name) = try Self.snapshotFile(scenario, node)
        let original = try Data(contentsOf: file)
        let loaded = try SnapshotReader.load(path: file.path, name: name)
        // Rebuilt field by field, so nothing of the decoded message's presence flags is reused.
        var metadata = RaftSnapshotMetadata()
        var conf = RaftConfState()
        conf.voters = loaded.snapshot.metadata.confState.voters
        metadata.confState = conf
        metadata.index = loaded.index
        metadata.term = loaded.term
        var snapshot = RaftSnapshot()
        snapshot.data = loaded.snapshot.data
        snapshot.metadata = metadata
        #expect(SnapshotWriter.fileBytes(snapshot) == original)
        #expect(SnapshotWriter.fileBytes(loaded.snapshot) == original)
    }

    @Test("save writes term-index.snap, 0644 as on a real manager, and reads back", arguments: withSnapshots)
    func saveAndLoad(scenario: String, node: String) throws {
        let (file, name) = try Self.snapshotFile(scenario, node)
        let loaded = try SnapshotReader.load(path: file.path, name: name)
        let directory = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try SnapshotWriter(directory: directory).save(loaded.snapshot)
        #expect(written.lastPathComponent == file.lastPathComponent)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [name.fileName])
        #expect(try WALTestRecords.mode(written) == 0o644)
        #expect(try WALTestRecords.mode(file) == 0o644)
        #expect(try Data(contentsOf: written) == Data(contentsOf: file))
        let back = try SnapshotReader(directory: directory).loadNewest()
        #expect(back.skipped.isEmpty)
        #expect(back.snapshot?.snapshot == loaded.snapshot)
    }

    @Test func neverOverwritesAndNeverWritesTheEmptySnapshot() throws {
        let directory = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var snapshot = RaftSnapshot()
        snapshot.data = Data("payload".utf8)
        var metadata = RaftSnapshotMetadata()
        metadata.index = 0x10
        metadata.term = 3
        metadata.confState = RaftConfState()
        snapshot.metadata = metadata
        let written = try SnapshotWriter(directory: directory).save(snapshot)
        #expect(written.lastPathComponent == "0000000000000003-0000000000000010.snap")
        #expect(throws: SnapshotWriteError.exists(path: written.path)) { try SnapshotWriter(directory: directory).save(snapshot) }
        snapshot.metadata.index = 0
        #expect(throws: SnapshotWriteError.emptySnapshot) { try SnapshotWriter(directory: directory).save(snapshot) }
        // conf_state and auto_leave are written even when empty, as gogo does.
        let bytes = SnapshotWriter.fileBytes(try #require(try SnapshotReader(directory: directory).loadNewest().snapshot).snapshot)
        let decoded = try RaftSnapshot(serializedBytes: try SnapFileSnapshot(serializedBytes: bytes).data)
        #expect(decoded.metadata.hasConfState && decoded.metadata.confState.hasAutoLeave)
    }
}
