import Foundation
import SwarmFormats
import SwarmNode
import SwarmTestSupport
import Testing

/// What `NodeLoader` refuses instead of reading past it.
@Suite struct NodeLoaderTests {
    /// A private copy of a real manager's folder whose raft folder is replaced by `raft`.
    static func manager(raft: (URL) throws -> Void) throws -> URL {
        let folder = Fixtures.copy("single-manager", "manager-1")
        let raftFolder = folder.appendingPathComponent("raft")
        try FileManager.default.removeItem(at: raftFolder)
        try FileManager.default.createDirectory(at: raftFolder, withIntermediateDirectories: false)
        try raft(raftFolder)
        return folder
    }

    @Test("WAL metadata that is not a RaftMember is corruption naming the segment, not a manager without a member")
    func undecodableMetadata() throws {
        let folder = try Self.manager { raft in
            var writer = try WALWriter.create(
                directory: raft.appendingPathComponent("wal-v3-encrypted"), metadata: Data([0xff, 0xff, 0xff]))
            try writer.sync()
            try writer.close()
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let segment = folder.appendingPathComponent("raft/wal-v3-encrypted/0000000000000000-0000000000000000.wal").path
        #expect {
            try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: folder.path))
        } throws: { error in
            guard case .undecodableMetadata(let path, _)? = error as? NodeLoadError else { return false }
            return path == segment
        }
    }

    @Test("a snapshot folder that cannot be listed is an error, not 'no snapshot'")
    func unlistableSnapshotFolder() throws {
        let folder = try Self.manager { raft in
            var writer = try WALWriter.create(directory: raft.appendingPathComponent("wal-v3-encrypted"), metadata: Data())
            try writer.close()
            // A symlink to itself: opendir fails with ELOOP, even for root (who passes any
            // permission check this test could set).
            let snapshots = raft.appendingPathComponent("snap-v3-encrypted").path
            #expect(symlink(snapshots, snapshots) == 0)
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let snapshots = folder.appendingPathComponent("raft/snap-v3-encrypted").path
        #expect {
            try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: folder.path))
        } throws: { error in
            guard let error = error as? FileAccessError else { return false }
            return error.path == snapshots && error.code == ELOOP
        }
    }
}
