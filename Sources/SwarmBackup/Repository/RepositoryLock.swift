#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats
import SwarmStateReplacement

/// An exclusive, non-blocking lock on a repository directory, so two backup or prune runs never
/// write the same repository at once.
///
/// It is a `flock(LOCK_EX | LOCK_NB)` on `<repository>/.swarmsafe.lock` (created with mode
/// 0600), so the kernel releases it when the process dies, however it dies. The holder writes
/// `pid <pid> since <UTC time>` into the file for the error message of the next run. The file
/// is never deleted: unlinking a lock file races with another run that has just opened it.
///
/// The lock is held until `release()` or until the object is deallocated.
public final class RepositoryLock: @unchecked Sendable {
    public static let fileName = ".swarmsafe.lock"

    /// The repository directory.
    public let repository: String
    /// The lock file.
    public let path: String
    private let held: HeldLock

    /// Takes the lock or throws at once: `.locked` (with what the holder wrote) when another
    /// open of the file holds it, even in this process; `.missing` when the directory does not
    /// exist.
    public init(repository: String) throws(RepositoryError) {
        self.repository = repository
        self.path = (repository as NSString).appendingPathComponent(Self.fileName)
        let fd = Flock.openRetrying(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode: 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .missing(repository) }
            if code == ENOTDIR { throw .notADirectory(repository) }
            throw .fileSystem(FileAccessError(path: path, operation: "open", errno: code))
        }
        let code = Flock.tryLock(fd, exclusive: true)
        guard code == 0 else {
            let holder = code == EWOULDBLOCK ? Self.readHolder(fd) : nil
            close(fd)
            if code == EWOULDBLOCK { throw .locked(path: repository, holder: holder) }
            throw .fileSystem(FileAccessError(path: path, operation: "lock", errno: code))
        }
        held = HeldLock(fd)
        // The umask may have narrowed the mode of a new file; a file owned by someone else
        // keeps its mode (fchmod fails, harmlessly).
        _ = fchmod(fd, 0o600)
        let holder = "pid \(getpid()) since \(UTCTime.Parts(milliseconds: UTCTime.milliseconds(Date())).iso8601Seconds)\n"
        do {
            try FileSync.truncate(fd, to: 0, path: path)
            try FileSync.write(fd, Data(holder.utf8), at: 0, path: path)
        } catch {
            held.release()
            throw .fileSystem(error)
        }
    }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { held.isHeld }

    /// Releases the lock (closing the descriptor releases the flock). Idempotent. The file's
    /// contents are left alone: clearing them would race with the next holder's write.
    public func release() { held.release() }

    /// The first line the holder wrote, sanitised for a one-line message; nil when empty.
    private static func readHolder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let clean = String(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        return clean.isEmpty ? nil : String(clean.prefix(200))
    }
}
