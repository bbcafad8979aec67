import Foundation
import SwarmArchive
import S3Client
import SwarmFormats

/// What `swarmsafe backup` was asked to do.
public struct BackupRequest {
    public var stateDirectory: StateDirectory
    /// A folder, or `s3://BUCKET[/PREFIX]`.
    public var repository: String
    /// How to reach S3; needed only when `repository` is an `s3://` address.
    public var s3: S3Settings?
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
        labels: [String: String] = [:], workDirectory: String? = nil, s3: S3Settings? = nil
    ) {
        self.s3 = s3
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

extension BackupRequest {
    func destination() throws -> any BackupDestination {
        guard let (location, s3) = try S3Settings.address(repository, s3) else {
            return FolderDestination(repository: BackupRepository(path: repository))
        }
        return S3Destination(repository: try S3BackupRepository(location: location, settings: s3))
    }
}
