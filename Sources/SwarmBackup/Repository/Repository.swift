#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import FaultInjection
import Foundation
import SwarmFormats

/// Why an operation on a backup repository failed; each description is one line naming the path.
public enum RepositoryError: Error, CustomStringConvertible, Sendable {
    /// The repository directory does not exist.
    case missing(String)
    /// The repository path exists but is not a directory.
    case notADirectory(String)
    /// Another run holds the repository's lock; `holder` is what it wrote into the lock file
    /// (`pid 1234 since 2026-11-23T15:45:01Z`), when readable.
    case locked(path: String, holder: String?)
    /// A system call on a file in the repository failed.
    case fileSystem(FileAccessError)

    public var description: String {
        switch self {
        case .missing(let path):
            "\(path): backup repository does not exist"
        case .notADirectory(let path):
            "\(path): backup repository is not a directory"
        case .locked(let path, let holder):
            "\(path): repository is locked by another swarmsafe run" + (holder.map { " (\($0))" } ?? "")
        case .fileSystem(let error):
            error.description
        }
    }
}

/// A backup archive found in a repository.
public struct BackupListing: Sendable, Hashable {
    public let name: BackupName
    /// The full path of the archive.
    public let path: String
    /// Its size in bytes.
    public let size: Int64

    public init(name: BackupName, path: String, size: Int64) {
        self.name = name
        self.path = path
        self.size = size
    }
}

/// What `BackupRepository.remove` did.
public struct RemovalReport: Sendable, Equatable {
    /// Unlinked by this call.
    public var removed: [BackupName] = []
    /// Already gone when this call tried to unlink them (not an error: another run, or an
    /// operator, removed them first).
    public var alreadyMissing: [BackupName] = []

    public init(removed: [BackupName] = [], alreadyMissing: [BackupName] = []) {
        self.removed = removed
        self.alreadyMissing = alreadyMissing
    }
}

/// A directory of backup archives named by `BackupName`. It holds nothing else of its own but
/// the lock file (`.swarmsafe.lock`) and, while a backup is being written, that backup's hidden
/// temporary file (`.<name>.partial-<pid>`); neither parses as a backup name. Other files are
/// ignored, never listed or removed.
public struct BackupRepository: Sendable {
    public let path: String

    /// `path` is made absolute: Foundation's path helpers trap on a bare relative name.
    public init(path: String) {
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The path of an archive in this repository.
    public func path(for name: BackupName) -> String {
        (path as NSString).appendingPathComponent(name.fileName)
    }

    /// The hidden name an archive is written under before it is renamed into place:
    /// `.<fileName>.partial-<pid>`, in the same directory so the rename is atomic.
    public func temporaryFileName(for name: BackupName) -> String {
        ".\(name.fileName).partial-\(getpid())"
    }

    /// The full path of `temporaryFileName(for:)`.
    public func temporaryPath(for name: BackupName) -> String {
        (path as NSString).appendingPathComponent(temporaryFileName(for: name))
    }

    /// Removes the temporary files of runs that were killed before they finished. Only call it
    /// while holding the repository lock: then no other run can be writing one.
    @discardableResult
    public func removeAbandonedTemporaryFiles() -> [String] {
        var removed: [String] = []
        // Housekeeping: a repository that cannot be listed fails the backup's own write next.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where entry.hasPrefix(".") {
            guard let marker = entry.range(of: ".partial-", options: .backwards),
                BackupName(fileName: String(entry[entry.index(after: entry.startIndex)..<marker.lowerBound])) != nil
            else { continue }
            let full = (path as NSString).appendingPathComponent(entry)
            FaultPoint.step("unlink", full)
            if unlink(full) == 0 { removed.append(full) }
        }
        return removed
    }

    /// Takes the repository's exclusive lock (see `RepositoryLock`).
    public func lock() throws(RepositoryError) -> RepositoryLock {
        try RepositoryLock(repository: path)
    }

    /// Every regular file whose name parses as a `BackupName`, oldest first. Symbolic links,
    /// directories, temporary files and foreign files are ignored.
    public func backups() throws(RepositoryError) -> [BackupListing] {
        try checkDirectory()
        let listed: [String]?
        do {
            listed = try FileSync.listDirectory(path)
        } catch {
            throw .fileSystem(error)
        }
        guard let names = listed else { throw .missing(path) }
        var listings: [BackupListing] = []
        for fileName in names {
            guard let name = BackupName(fileName: fileName) else { continue }
            let filePath = self.path(for: name)
            var info = stat()
            guard lstat(filePath, &info) == 0 else {
                if errno == ENOENT { continue }  // removed while we listed
                throw .fileSystem(FileAccessError(path: filePath, operation: "examine", errno: errno))
            }
            guard info.st_mode & S_IFMT == S_IFREG else { continue }
            listings.append(BackupListing(name: name, path: filePath, size: Int64(info.st_size)))
        }
        return listings.sorted { $0.name < $1.name }
    }

    /// Creates the repository directory and any missing parents (`mkdir -p`). The repository
    /// directory itself gets mode 0700 when this creates it (archives hold cluster secrets);
    /// an existing directory is left as it is.
    public func createIfNeeded() throws(RepositoryError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path) }
            return
        }
        guard errno == ENOENT else {
            throw .fileSystem(FileAccessError(path: path, operation: "examine", errno: errno))
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw .fileSystem(FileAccessError(path: parent, operation: "create directory", errno: Self.errnoOf(error)))
            }
        }
        guard mkdir(path, 0o700) == 0 else {
            let code = errno
            if code == EEXIST {
                // Created concurrently; accept it when it is a directory.
                guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path) }
                return
            }
            throw .fileSystem(FileAccessError(path: path, operation: "create directory", errno: code))
        }
        guard chmod(path, 0o700) == 0 else {
            throw .fileSystem(FileAccessError(path: path, operation: "set the mode of", errno: errno))
        }
        do {
            try FileSync.syncDirectory(parent.isEmpty ? "." : parent)
        } catch {
            throw .fileSystem(error)
        }
    }

    /// Unlinks each archive, then fsyncs the directory so the removals are durable. A name that
    /// no longer exists is reported in `alreadyMissing`, not thrown. On any other failure the
    /// directory is still synced for the removals done so far before the error is thrown.
    @discardableResult
    public func remove(_ names: [BackupName]) throws(RepositoryError) -> RemovalReport {
        try checkDirectory()
        var report = RemovalReport()
        var failure: RepositoryError?
        for name in names {
            let filePath = self.path(for: name)
            FaultPoint.step("unlink", filePath)
            if unlink(filePath) == 0 {
                report.removed.append(name)
            } else if errno == ENOENT {
                report.alreadyMissing.append(name)
            } else {
                failure = .fileSystem(FileAccessError(path: filePath, operation: "remove", errno: errno))
                break
            }
        }
        if !report.removed.isEmpty {
            do {
                try FileSync.syncDirectory(path)
            } catch {
                if failure == nil { failure = .fileSystem(error) }
            }
        }
        if let failure { throw failure }
        return report
    }

    private func checkDirectory() throws(RepositoryError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .missing(path) }
            throw .fileSystem(FileAccessError(path: path, operation: "examine", errno: errno))
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path) }
    }

    private static func errnoOf(_ error: Error) -> Int32 {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return Int32(underlying.code)
        }
        return EIO
    }
}
