import Foundation
import Logging
import S3Client
import SwarmFormats
import SwarmStateReplacement

/// `swarmsafe restore`: puts the state directory of a backup at a path, or nothing at all.
/// Missing folders above the path are created (and removed again when the restore fails).
///
/// The archive is unpacked and fully verified in a hidden sibling of the target, every file
/// and folder synced, and only then swapped in. The folder that was there is renamed
/// `<target>.swarmsafe-old-<time>`, never deleted. Killed at any moment, the target holds
/// either the old state or the complete new one.
public struct BackupRestorer {
    public let archive: String
    public let target: String
    public let key: AgeDecryptionKey?
    public let unlockKey: UnlockKey?
    public let force: Bool
    public let logger: Logger
    public let progress: ProgressHandler?
    public let clock: () -> Date
    /// Runs on the unpacked, verified folder before it is swapped in (e.g. a recovery for a
    /// migration), so the target only ever holds the old state or the finished new one.
    public var prepare: ((StateDirectory) throws -> Void)?
    /// How to reach an `s3://` archive; it is streamed, never copied to a local file.
    public var s3: S3Settings?

    public init(
        archive: String, target: String, key: AgeDecryptionKey?, unlockKey: UnlockKey?, force: Bool,
        logger: Logger = Logger(label: "swarmsafe.restore"), progress: ProgressHandler? = nil,
        clock: @escaping () -> Date = Date.init
    ) {
        self.archive = archive
        self.target = URL(fileURLWithPath: target).standardizedFileURL.path
        self.key = key
        self.unlockKey = unlockKey
        self.force = force
        self.logger = logger
        self.progress = progress
        self.clock = clock
    }

    public func restore() throws -> RestoreResult {
        guard S3Location.isS3(archive) || FileManager.default.fileExists(atPath: archive) else {
            throw FileAccessError(path: archive, operation: "open", errno: ENOENT)
        }
        // The staging folder is a sibling of the target, so its parents must exist first.
        let parents = try CreatedParents.make(above: target)
        var restored = false
        defer { if !restored { parents.remove() } }
        let existing = try FileSync.entry(target)
        var lock: StateDirectoryLock?
        switch existing {
        case .missing: break
        case .other: throw StagingError.targetNotADirectory(path: target)
        case .emptyDirectory, .nonEmptyDirectory:
            let holders = try StateDirectoryHolders.find(in: target)
            guard holders.isEmpty else { throw ReplacementError.held(path: target, holders: holders, use: .restore) }
            if existing == .nonEmptyDirectory && !force { throw RestoreError.targetNotEmpty(path: target) }
            lock = try StateDirectoryLock.acquire(target, exclusive: true, for: .restore)
        }
        defer { lock?.release() }
        for leftover in DirectorySwap.leftovers(for: target) {
            logger.warning("a folder from an interrupted restore is still there; check it and remove it by hand", metadata: ["path": "\(leftover)"])
        }

        let now = clock()
        let staging = DirectorySwap.stagingName(for: target, at: now)
        try FileSync.makeDirectory(staging, mode: 0o700)
        var installed = false
        defer {
            // Only our own staging folder, and only when it never became the target.
            if !installed { try? FileManager.default.removeItem(atPath: staging) }
        }
        let report = try BackupVerifier(
            archive: archive, key: key, unlockKey: unlockKey, deep: false, progress: progress, s3: s3
        ).verify(unpackingInto: staging)
        guard report.ok || (report.locked && report.findings.isEmpty) else {
            throw RestoreErrorFindings(archive: archive, findings: report.findings)
        }
        try prepare?(StateDirectory(path: staging))
        if let rootMode = report.rootMode {
            guard chmod(staging, mode_t(rootMode & 0o700)) == 0 else {
                throw FileAccessError(path: staging, operation: "set the mode of", errno: errno)
            }
        }
        try Self.syncTree(staging)
        let aside = try DirectorySwap.install(
            staged: staging, at: target, asideName: { DirectorySwap.oldName(for: $0, at: now) })
        installed = true
        restored = true
        return RestoreResult(target: target, previousMovedTo: aside, report: report)
    }

    /// Every folder synced bottom-up (files were synced as they were written), so that the
    /// rename that follows can only expose a complete tree.
    static func syncTree(_ root: String) throws {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var directories: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = root + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                directories.append(path)
            }
        }
        for directory in directories.reversed() { try FileSync.syncDirectory(directory) }
        try FileSync.syncDirectory(root)
    }
}

public struct RestoreResult: Sendable {
    public let target: String
    public let previousMovedTo: String?
    public let report: VerifyReport
}

/// The archive did not verify, so nothing was changed.
public struct RestoreErrorFindings: Error, Sendable, CustomStringConvertible {
    public let archive: String
    public let findings: [String]
    public var description: String {
        "\(archive): does not verify, nothing was restored: \(findings.joined(separator: "; "))"
    }
}
