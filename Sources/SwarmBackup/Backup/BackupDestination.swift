import Foundation
import Logging
import SwarmFormats

/// Where `backup` puts its archive: a repository folder or an S3 prefix. Both promise the
/// same: one run at a time, nothing visible under a backup's name before it is complete
/// and read back, and a killed run's leftovers cleaned up by the next one.
protocol BackupDestination {
    /// The repository as the operator names it.
    var description: String { get }
    /// Makes sure the repository exists, takes its lock and removes what killed runs left.
    func open(logger: Logger) throws -> any RepositoryLease
    /// `open`, done at once or begun on a worker thread (when it is round trips to a server).
    func beginOpening(logger: Logger) throws -> PendingLease
    /// Where the archive of `name` ends up, as `list` shows it.
    func finalLocation(of name: BackupName) -> String
    func exists(_ name: BackupName) throws -> Bool
    /// A place to write the archive under a name no command takes for a backup.
    func makeOutput(for name: BackupName, lease: any RepositoryLease) throws -> any ArchiveOutput
}

/// A repository's lock, held until released.
public protocol RepositoryLease: AnyObject {
    func release()
}

/// An archive being written: bytes in, then finished, read back from where it was stored,
/// and only then published under its final name.
protocol ArchiveOutput: AnyObject {
    var bytesWritten: Int64 { get }
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Everything written and stored durably, still under the temporary name.
    func finishWriting() throws
    /// The stored bytes, as a restore would read them.
    func readBack() throws -> any ArchiveByteSource
    /// Gives the archive its final name; an existing archive of that name is never replaced.
    func publish() throws
}

extension BackupDestination {
    func beginOpening(logger: Logger) throws -> PendingLease {
        PendingLease(taken: try open(logger: logger))
    }
}

extension RepositoryLock: RepositoryLease {}

/// A repository folder on a local (or mounted) file system.
struct FolderDestination: BackupDestination {
    let repository: BackupRepository

    var description: String { repository.path }

    func open(logger: Logger) throws -> any RepositoryLease {
        try repository.createIfNeeded()
        let lock = try repository.lock()
        for path in repository.removeAbandonedTemporaryFiles() {
            logger.notice("removed the unfinished archive of a backup that was killed", metadata: ["path": "\(path)"])
        }
        return lock
    }

    func finalLocation(of name: BackupName) -> String { repository.path(for: name) }

    func exists(_ name: BackupName) throws -> Bool {
        try FileSync.entry(repository.path(for: name)) != .missing
    }

    func makeOutput(for name: BackupName, lease: any RepositoryLease) throws -> any ArchiveOutput {
        try ArchiveFileOutput(temporaryPath: repository.temporaryPath(for: name), finalPath: repository.path(for: name))
    }
}
