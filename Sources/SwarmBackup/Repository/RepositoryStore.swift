import Foundation
import S3Client

/// What `list` and `prune` need of a repository, wherever it lives.
public protocol RepositoryStore {
    var description: String { get }
    /// Every backup, oldest first.
    func backups() throws -> [BackupListing]
    func remove(_ names: [BackupName]) throws -> RemovalReport
    /// The repository's exclusive lock, so two prunes (or a prune and a backup) never
    /// run at once.
    func exclusiveLock() throws -> any RepositoryLease
}

extension BackupRepository: RepositoryStore {
    public var description: String { path }
    public func exclusiveLock() throws -> any RepositoryLease { try lock() }
}

extension S3BackupRepository: RepositoryStore {
    public func exclusiveLock() throws -> any RepositoryLease { try lock() }
}

public enum Repositories {
    /// The repository an operator named with `--repo`: `s3://BUCKET[/PREFIX]` through `s3`,
    /// anything else a folder.
    public static func open(_ text: String, s3: S3Settings?) throws -> any RepositoryStore {
        guard let (location, s3) = try S3Settings.address(text, s3) else { return BackupRepository(path: text) }
        return try S3BackupRepository(location: location, settings: s3)
    }
}
