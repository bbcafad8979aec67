import Foundation
import Logging
import SwarmFormats
import SwarmNode
import SwarmStateReplacement
import SwarmStore

/// A consistent copy of a running manager's state directory, checked and ready to archive.
public struct CapturedState {
    /// The copy, laid out like the original (a valid state directory).
    public let workDirectory: WorkDirectory
    public let node: LoadedNode
    public let verification: VerificationLevel
    /// Every file of the copy, relative to its root, sorted; directories first by path order.
    public let files: [String]
    public let directories: [String]
    /// How many tries it took to get a consistent set (more than 1 when swarmkit cut a
    /// segment, took a snapshot or rotated the key while we copied).
    public let attempts: Int
    public let warnings: [String]
}

public enum CaptureError: Error, Sendable, CustomStringConvertible {
    case unstable(path: String, attempts: Int, lastError: String)
    /// The same problem in two copies in a row: the live folder itself is damaged.
    case damaged(reason: String)

    public var description: String {
        switch self {
        case .unstable(let path, let attempts, let lastError):
            "\(path): no consistent copy after \(attempts) attempts; last problem: \(lastError)"
        case .damaged(let reason): reason
        }
    }
}

/// Takes a consistent copy of a manager's state directory while the manager keeps running.
///
/// Nothing is locked: swarmkit holds its WAL locks and keeps appending. Consistency comes
/// from the WAL being append-only: a copy of each segment up to a frame boundary is exactly
/// what a crash at that moment would leave, which swarmkit restarts from. What can go wrong
/// mid-copy is detected and the copy retried: a segment deleted by garbage collection (its
/// open fails, or the segments no longer reach back to the snapshot), a snapshot still being
/// written (its CRC fails: the previous one is used), a key rotation (the key file changed
/// between the start and the end of the copy), a record still being written (a torn tail,
/// cut off the copy as swarmkit itself would).
public struct StateCapture {
    public let source: StateDirectory
    public let unlockKey: UnlockKey?
    public let workParent: String?
    public let maxAttempts: Int
    public let logger: Logger
    /// Called between copying the log and re-reading the key, once per attempt: tests use it
    /// to change the folder at the moment a busy manager would.
    package var afterCopyingLog: ((_ attempt: Int) -> Void)?

    public init(
        source: StateDirectory, unlockKey: UnlockKey?, workParent: String? = nil, maxAttempts: Int = 5,
        logger: Logger = Logger(label: "swarmsafe.capture")
    ) {
        self.source = source
        self.unlockKey = unlockKey
        self.workParent = workParent
        self.maxAttempts = max(1, maxAttempts)
        self.logger = logger
    }

    public func capture() throws -> CapturedState {
        try source.validate()
        guard source.isManager else { throw StateDirectoryError.worker(path: source.path) }
        var lastReason: String?
        for attempt in 1...maxAttempts {
            let work = try WorkDirectory.near(source.path, purpose: "backup", override: workParent)
            do {
                return try captureOnce(into: work, attempt: attempt)
            } catch let error where Self.mayBeARace(error) {
                // Say it of the live folder, not of our copy of it.
                let reason = "\(error)".replacingOccurrences(of: work.path, with: source.path)
                // A writer moves on between two copies; damage stays where it is. The same
                // problem twice in a row is the folder's own.
                if reason == lastReason, !(error is KeyChanged) { throw CaptureError.damaged(reason: reason) }
                logger.info("copy was not consistent, retrying", metadata: ["attempt": "\(attempt)", "reason": "\(reason)"])
                lastReason = reason
                usleep(UInt32(100_000 * attempt))
            }
        }
        throw CaptureError.unstable(path: source.path, attempts: maxAttempts, lastError: lastReason ?? "unknown")
    }

    /// Errors a concurrent writer can cause in a copy; anything else (a wrong unlock key, a
    /// missing certificate folder) is reported at once.
    static func mayBeARace(_ error: Error) -> Bool {
        switch error {
        case is WALError, is SnapshotError, is RaftPayloadError, is ReplayError, is KeyChanged: true
        case let e as FileAccessError: e.code == ENOENT
        default: false
        }
    }

    struct KeyChanged: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) changed while copying (key rotation)" }
    }

    private func captureOnce(into work: WorkDirectory, attempt: Int) throws -> CapturedState {
        guard let layout = source.raftLayout else { throw StateDirectoryError.noWAL(path: source.raftDirectory.path) }
        let target = StateDirectory(path: work.path)
        var files: [String] = []
        var directories: [String] = []
        var warnings: [String] = []

        func makeDirectory(_ relative: String, like original: String) throws {
            let mode = try FileSync.mode(of: original, orIfMissing: 0o700)
            try FileSync.makeDirectory(work.path + "/" + relative, mode: mode)
            directories.append(relative)
        }
        func copySmall(_ relative: String, bytes: Data? = nil) throws {
            let from = try LiveFile(path: source.path + "/" + relative)
            let mode = try from.mode
            if let bytes {
                try FileSync.writeNewFile(work.path + "/" + relative, bytes, mode: mode)
            } else {
                _ = try from.copy(to: work.path + "/" + relative, mode: mode)
            }
            files.append(relative)
        }

        // The key first and last: the DEK in it must be the one the copied data is
        // encrypted with.
        let keyRelative = NodeKeyFile.relativePath
        let keyBefore = try LiveFile(path: source.nodeKey.path).readAll()
        for name in ["state.json", "docker-state.json"] where FileManager.default.fileExists(atPath: source.path + "/" + name) {
            try copySmall(name)
        }
        try makeDirectory("certificates", like: source.certificatesDirectory.path)
        for name in try Self.regularFiles(in: source.certificatesDirectory.path) {
            let relative = "certificates/" + name
            try copySmall(relative, bytes: relative == keyRelative ? keyBefore : nil)
        }
        try makeDirectory("raft", like: source.raftDirectory.path)
        let walRelative = "raft/" + layout.walDirectoryName
        let snapRelative = "raft/" + layout.snapshotDirectoryName
        try makeDirectory(walRelative, like: source.walDirectory(layout).path)
        try makeDirectory(snapRelative, like: source.snapshotDirectory(layout).path)

        // The newest snapshot that is complete now; one still being written fails its CRC.
        var start = WALStart()
        let liveSnapshots = SnapshotReader(directory: source.snapshotDirectory(layout))
        for name in try liveSnapshots.snapshotNames().reversed() {
            let relative = snapRelative + "/" + name.fileName
            let staged = work.path + "/" + relative
            do {
                let file = try LiveFile(path: source.path + "/" + relative)
                _ = try file.copy(to: staged, mode: try file.mode)
                let loaded = try SnapshotReader.load(path: staged, name: name)
                start = WALStart(index: loaded.index, term: loaded.term)
                files.append(relative)
                break
            } catch {
                try? FileManager.default.removeItem(atPath: staged)
                let reason = "\(error)".replacingOccurrences(of: staged + ": ", with: "")
                warnings.append("\(source.path)/\(relative): incomplete or damaged (\(reason)); the previous snapshot was used")
            }
        }

        // Open every segment the snapshot needs before copying any: garbage collection
        // deletes the oldest first, and an open descriptor keeps a deleted file readable.
        let liveWAL = WALReader(directory: source.walDirectory(layout))
        let segments = try liveWAL.selectSegments(from: start)
        let opened = try segments.map { try LiveFile(path: source.walDirectory(layout).path + "/" + $0.fileName) }
        for (name, file) in zip(segments, opened) {
            let relative = walRelative + "/" + name.fileName
            let used = try WALSegmentExtent.usedLength(of: file)
            _ = try file.copy(to: work.path + "/" + relative, length: used, mode: try file.mode)
            files.append(relative)
        }

        afterCopyingLog?(attempt)
        let keyAfter = try LiveFile(path: source.nodeKey.path).readAll()
        guard keyAfter == keyBefore else { throw KeyChanged(path: source.nodeKey.path) }

        var (node, verification) = try StateCheck.load(target, unlockKey: unlockKey)
        // A record still being written when we copied: cut it off, as swarmkit's own
        // recovery would, so the archive holds only complete records.
        if let raft = node.raft, case .tornTail(let position, _)? = raft.wal.tornTail {
            let path = target.walDirectory(layout).path + "/" + position.segment
            guard truncate(path, off_t(position.offset)) == 0 else {
                throw FileAccessError(path: path, operation: "truncate", errno: errno)
            }
            (node, verification) = try StateCheck.load(target, unlockKey: unlockKey)
            logger.debug("cut a record in flight off the copy", metadata: ["at": "\(position)"])
        }
        warnings += node.warnings.filter { !$0.contains("torn last record") }
        return CapturedState(
            workDirectory: work, node: node, verification: verification, files: files.sorted(),
            directories: directories, attempts: attempt, warnings: warnings)
    }

    static func regularFiles(in directory: String) throws -> [String] {
        guard let names = try FileSync.listDirectory(directory) else {
            throw FileAccessError(path: directory, operation: "list", errno: ENOENT)
        }
        // An entry gone or unreadable since the listing is not a file to copy; copying the
        // ones kept reports its own errors.
        return names.filter { (try? FileSync.isRegularFile(directory + "/" + $0)) == true }.sorted()
    }
}
