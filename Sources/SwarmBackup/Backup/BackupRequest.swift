import Foundation
import SwarmArchive
import SwarmFormats

/// What `swarmsafe backup` was asked to do.
public struct BackupRequest {
    public var stateDirectory: StateDirectory
    public var repository: String
    public var unlockKey: UnlockKey?
    /// nil: the archive is not encrypted.
    public var encryption: AgeEncryptionTarget?
    public var compression: ArchiveCompression
    public var labels: [String: String]
    /// Where the private working copy goes; default: beside the state directory.
    public var workDirectory: String?

    public init(
        stateDirectory: StateDirectory, repository: String, unlockKey: UnlockKey? = nil,
        encryption: AgeEncryptionTarget? = nil, compression: ArchiveCompression = .zstd,
        labels: [String: String] = [:], workDirectory: String? = nil
    ) {
        self.stateDirectory = stateDirectory
        self.repository = repository
        self.unlockKey = unlockKey
        self.encryption = encryption
        self.compression = compression
        self.labels = labels
        self.workDirectory = workDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    }
}

/// What a finished backup produced; `--json` prints it.
public struct BackupResult: Sendable {
    public let archivePath: String
    public let name: BackupName
    public let archiveBytes: Int64
    public let manifest: BackupManifest
    public let duration: TimeInterval
}
