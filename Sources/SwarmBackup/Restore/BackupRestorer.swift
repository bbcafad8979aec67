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

        var replacement = StateDirectoryReplacement(target: target, use: .restore, now: clock(), logger: logger)
        replacement.allowsMissingTarget = true
        if !force { replacement.refusalWhenOccupied = { RestoreError.targetNotEmpty(path: $0) } }
        let outcome = try replacement.run { staging in
            let report = try BackupVerifier(
                archive: archive, key: key, unlockKey: unlockKey, deep: false, progress: progress, s3: s3
            ).verify(unpackingInto: staging.path)
            guard report.ok || (report.locked && report.findings.isEmpty) else {
                throw RestoreErrorFindings(archive: archive, findings: report.findings)
            }
            try prepare?(staging.directory)
            // The folder's own mode as it was backed up, owner bits only.
            staging.mode = report.rootMode.map { mode_t($0 & 0o700) } ?? 0o700
            return .install(report)
        }
        restored = true
        return RestoreResult(target: target, previousMovedTo: outcome.previousMovedTo, report: outcome.value)
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
