#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The two steps every swarmsafe lock takes, each retried when a signal interrupts it.
package enum Flock {
    /// `open(2)`; the descriptor, or -1 with `errno` set.
    package static func openRetrying(_ path: String, _ flags: Int32, mode: mode_t = 0) -> Int32 {
        var fd: Int32
        repeat {
            fd = open(path, flags, mode)
        } while fd < 0 && errno == EINTR
        return fd
    }

    /// A non-blocking `flock`; 0, or the errno (EWOULDBLOCK: someone else holds it).
    package static func tryLock(_ fd: Int32, exclusive: Bool) -> Int32 {
        var result: Int32
        repeat {
            result = flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)
        } while result != 0 && errno == EINTR
        return result == 0 ? 0 : errno
    }
}

/// A descriptor kept open only to hold a `flock`: released on `release()` or when the owner
/// goes away, and by the kernel when the process dies.
///
/// Releasing unlocks before it closes. A `flock` belongs to the open file description, which
/// a child process shares from its fork until its exec closes the copy: closing our descriptor
/// alone would leave the lock held for those milliseconds by a process that never meant to
/// hold it (any program swarmsafe's caller starts meanwhile); `LOCK_UN` drops it at once.
package final class HeldLock: @unchecked Sendable {
    private let mutex = NSLock()
    private var descriptor: Int32

    package init(_ descriptor: Int32) { self.descriptor = descriptor }

    deinit {
        if descriptor >= 0 { Self.unlockAndClose(descriptor) }
    }

    package var isHeld: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return descriptor >= 0
    }

    /// Idempotent.
    package func release() {
        mutex.lock()
        defer { mutex.unlock() }
        if descriptor >= 0 {
            Self.unlockAndClose(descriptor)
            descriptor = -1
        }
    }

    private static func unlockAndClose(_ descriptor: Int32) {
        // A failed unlock (EINTR aside) leaves nothing to do that close would not do.
        while flock(descriptor, LOCK_UN) != 0 && errno == EINTR {}
        close(descriptor)
    }
}
