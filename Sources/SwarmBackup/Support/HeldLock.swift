#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The two steps every swarmsafe lock takes, each retried when a signal interrupts it.
enum Flock {
    /// `open(2)`; the descriptor, or -1 with `errno` set.
    static func openRetrying(_ path: String, _ flags: Int32, mode: mode_t = 0) -> Int32 {
        var fd: Int32
        repeat {
            fd = open(path, flags, mode)
        } while fd < 0 && errno == EINTR
        return fd
    }

    /// A non-blocking `flock`; 0, or the errno (EWOULDBLOCK: someone else holds it).
    ///
    /// A lock found held is tried again for `grace`: a process that forks (any program that
    /// starts another, swarmsafe's tests among them) lends its child every open descriptor,
    /// and with it the locks, until the child's exec closes them — a few milliseconds in which
    /// a lock looks held that nobody means to hold. A real holder holds for longer.
    static func tryLock(_ fd: Int32, exclusive: Bool, grace: Duration = .milliseconds(250)) -> Int32 {
        let deadline = ContinuousClock.now + grace
        while true {
            var result: Int32
            repeat {
                result = flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)
            } while result != 0 && errno == EINTR
            if result == 0 { return 0 }
            let code = errno
            guard code == EWOULDBLOCK, ContinuousClock.now < deadline else { return code }
            usleep(10_000)
        }
    }
}

/// A descriptor kept open only to hold a `flock`: closing it drops the lock, and so does the
/// kernel when the process dies. Closed on `release()` or when the owner goes away.
final class HeldLock: @unchecked Sendable {
    private let mutex = NSLock()
    private var descriptor: Int32

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    var isHeld: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return descriptor >= 0
    }

    /// Idempotent.
    func release() {
        mutex.lock()
        defer { mutex.unlock() }
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }
}
