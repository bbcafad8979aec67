import Foundation
import SwarmProto

/// A snapshot file that decoded and matched its CRC. `snapshot.data` is still encrypted.
public struct LoadedSnapshot: Sendable {
    public let name: SnapshotName
    public let path: String
    public let snapshot: RaftSnapshot
    public var index: UInt64 { snapshot.metadata.index }
    public var term: UInt64 { snapshot.metadata.term }
}

/// A snapshot file that was skipped, and why.
public struct SkippedSnapshot: Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

public enum SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty(path: String)
    case undecodable(path: String, reason: String)
    case crcMismatch(path: String, stored: UInt32, computed: UInt32)

    public var description: String {
        switch self {
        case .empty(let path): "\(path): snapshot file is empty"
        case .undecodable(let path, let reason): "\(path): snapshot cannot be decoded: \(reason)"
        case .crcMismatch(let path, let stored, let computed):
            "\(path): snapshot CRC mismatch (stored \(hex8(stored)), computed \(hex8(computed)))"
        }
    }
}

/// Finds the snapshot a manager would start from: the newest file that is intact.
///
/// etcd's loader tries files newest first and renames a damaged one to `*.broken` before
/// trying the next; we never rename (reading must not change the folder), we report the
/// skipped files instead so the caller can warn.
public struct SnapshotReader: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The snapshot files, oldest first; none when the folder does not exist (a log that was
    /// never snapshotted). A folder that exists but cannot be listed is an error, not "no
    /// snapshot": a manager would fail on it too.
    public func snapshotNames() throws(FileAccessError) -> [SnapshotName] {
        let names = try FileSync.listDirectory(directory.path) ?? []
        return names.compactMap(SnapshotName.init(fileName:)).sorted()
    }

    /// The newest intact snapshot (nil when there is none) and the newer files that were not.
    public func loadNewest() throws(FileAccessError) -> (snapshot: LoadedSnapshot?, skipped: [SkippedSnapshot]) {
        var skipped: [SkippedSnapshot] = []
        for name in try snapshotNames().reversed() {
            let path = directory.appendingPathComponent(name.fileName).path
            do {
                return (try Self.load(path: path, name: name), skipped)
            } catch let error as SnapshotError {
                skipped.append(SkippedSnapshot(path: path, reason: Self.reason(error)))
            } catch {
                skipped.append(SkippedSnapshot(path: path, reason: "\(error)"))
            }
        }
        return (nil, skipped)
    }

    public static func load(path: String, name: SnapshotName) throws -> LoadedSnapshot {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        guard !bytes.isEmpty else { throw SnapshotError.empty(path: path) }
        let file: SnapFileSnapshot
        do {
            file = try SnapFileSnapshot(serializedBytes: bytes)
        } catch {
            throw SnapshotError.undecodable(path: path, reason: "\(error)")
        }
        let computed = CRC32C.checksum(file.data)
        guard computed == file.crc else {
            throw SnapshotError.crcMismatch(path: path, stored: file.crc, computed: computed)
        }
        do {
            return LoadedSnapshot(name: name, path: path, snapshot: try RaftSnapshot(serializedBytes: file.data))
        } catch {
            throw SnapshotError.undecodable(path: path, reason: "raft snapshot: \(error)")
        }
    }

    private static func reason(_ error: SnapshotError) -> String {
        switch error {
        case .empty: "empty"
        case .undecodable(_, let reason): "cannot be decoded (\(reason))"
        case .crcMismatch(_, let stored, let computed): "CRC mismatch (stored \(hex8(stored)), computed \(hex8(computed)))"
        }
    }
}
