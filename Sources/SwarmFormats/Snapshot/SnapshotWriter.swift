import Foundation
import SwarmProto

/// Why a snapshot file was not written (file-system failures are `FileAccessError`s).
public enum SnapshotWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A snapshot file of that name is already there; it is never overwritten.
    case exists(path: String)
    /// raft never saves a snapshot at index 0 (etcd skips it as empty).
    case emptySnapshot

    public var description: String {
        switch self {
        case .exists(let path): "\(path): a snapshot file of that name already exists"
        case .emptySnapshot: "refusing to write a snapshot at index 0 (raft's empty snapshot)"
        }
    }
}

/// Writes etcd snapshot files (`%016x-%016x.snap`, term then index) in the format etcd's
/// snapshotter writes: `snappb.Snapshot {crc, data}` with `data` the marshaled
/// `raftpb.Snapshot`, whose own `data` is the payload as given (swarmkit: the encrypted
/// `api.Snapshot`).
///
/// etcd writes the file in place; this writes `<name>.tmp` first (ignored by etcd's and our
/// loaders, which only look at `*.snap`), fsyncs it, renames it and fsyncs the directory, so a
/// crash never leaves a partial `.snap` that a loader would have to set aside.
public struct SnapshotWriter: Sendable {
    /// etcd creates snapshot files 0666 and the daemon's umask (022) leaves 0644, which is
    /// what real managers have on disk.
    public static let fileMode: mode_t = 0o644

    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The complete file content for `snapshot`.
    public static func fileBytes(_ snapshot: RaftSnapshot) -> Data {
        EtcdWire.snapFile(raftSnapshot: EtcdWire.marshal(snapshot))
    }

    /// Writes `snapshot` and returns the file's path.
    @discardableResult
    public func save(_ snapshot: RaftSnapshot) throws -> URL {
        guard snapshot.metadata.index > 0 else { throw SnapshotWriteError.emptySnapshot }
        let name = SnapshotName(term: snapshot.metadata.term, index: snapshot.metadata.index)
        return try write(fileBytes: Self.fileBytes(snapshot), name: name)
    }

    /// Writes a snapshot file's exact bytes (a copy of an existing one) under `name`.
    @discardableResult
    public func write(fileBytes: Data, name: SnapshotName) throws -> URL {
        let target = directory.appendingPathComponent(name.fileName)
        guard try FileSync.entry(target.path) == .missing else { throw SnapshotWriteError.exists(path: target.path) }
        let temporary = WALStaging.uniqueName(target.path + ".tmp")
        let fd = try FileSync.createFile(temporary, mode: Self.fileMode)
        do {
            defer { FileSync.closeDescriptor(fd) }
            try FileSync.write(fd, fileBytes, at: 0, path: temporary)
            try FileSync.sync(fd, path: temporary)
        } catch {
            // Our own partial temporary file, never the snapshot.
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        try FileSync.rename(temporary, to: target.path)
        try FileSync.syncDirectory(directory.path)
        return target
    }
}
