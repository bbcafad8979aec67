#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats

/// swarmsafe's claim on a state directory: a non-blocking `flock` on the directory itself
/// (a read-only descriptor of it, so no lock file is ever added to the folder). `restore`
/// takes it exclusively; commands that only read or copy a folder take it shared, so they
/// run alongside each other but never alongside a restore of that folder.
///
/// The kernel drops the lock when the process dies, however it dies. The lock stays with the
/// directory it was taken on: when a restore renames that folder aside, the lock goes with it
/// and the newly installed folder is not locked.
///
/// Held until `release()` or until the object is deallocated.
public final class StateDirectoryLock: @unchecked Sendable {
    /// The directory as given.
    public let directory: String
    public let exclusive: Bool
    private let held: HeldLock

    private init(directory: String, exclusive: Bool, descriptor: Int32) {
        self.directory = directory
        self.exclusive = exclusive
        held = HeldLock(descriptor)
    }

    /// Takes the lock or throws at once: `ReplacementError.held` (with the holder's pid when it
    /// can be found, and `use` for the message) when another descriptor holds a conflicting
    /// lock, even in this process; `FileAccessError` when the directory cannot be opened.
    public static func acquire(_ directory: String, exclusive: Bool, for use: StateDirectoryUse) throws -> StateDirectoryLock {
        let fd = Flock.openRetrying(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: directory, operation: "open directory", errno: errno) }
        let code = Flock.tryLock(fd, exclusive: exclusive)
        guard code == 0 else {
            var pid: Int32?
            if code == EWOULDBLOCK {
                var info = stat()
                if fstat(fd, &info) == 0 { pid = LockOwner.pid(device: info.st_dev, inode: info.st_ino) }
            }
            close(fd)
            if code == EWOULDBLOCK { throw ReplacementError.held(path: directory, holders: [.swarmsafe(pid: pid)], use: use) }
            throw FileAccessError(path: directory, operation: "lock", errno: code)
        }
        return StateDirectoryLock(directory: directory, exclusive: exclusive, descriptor: fd)
    }

    /// What every command that replaces a folder in place does first: refuses it while a
    /// manager or another swarmsafe holds it (`ReplacementError.held`, naming `use`), then takes
    /// the exclusive lock, so nothing can start on it until the lock is released.
    public static func claim(_ directory: String, for use: StateDirectoryUse) throws -> StateDirectoryLock {
        let holders = try StateDirectoryHolders.find(in: directory)
        guard holders.isEmpty else { throw ReplacementError.held(path: directory, holders: holders, use: use) }
        return try acquire(directory, exclusive: true, for: use)
    }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { held.isHeld }

    /// Releases the lock (closing the descriptor drops the flock). Idempotent.
    public func release() { held.release() }
}
