#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the process a leftover's name carries is gone: a killed run's temporary files and
/// folders are ours to remove only once nothing can be writing them any more.
package enum ProcessLiveness {
    /// True when no process has this pid (EPERM means one exists that is not ours: alive).
    package static func isGone(_ pid: Int32) -> Bool {
        pid > 0 && kill(pid, 0) != 0 && errno == ESRCH
    }
}
