#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The exclusive lock etcd takes on every WAL segment it writes: an open-file-description
/// lock where the kernel has them (what etcd uses on Linux), else flock. Both belong to the
/// open file, not the process, so the lock lasts exactly as long as the descriptor is open,
/// survives a rename, and conflicts with etcd's own lock on the same file.
package enum FileLock {
    #if os(Linux)
    /// `F_OFD_SETLK` (linux/fcntl.h); not exported by every libc module map.
    private static let ofdSetLock: Int32 = 37
    #endif

    /// Locks the whole file or throws `WALWriteError.locked` when someone else holds it.
    package static func lockExclusively(_ fd: Int32, path: String) throws {
        #if os(Linux)
        var request = flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0
        if fcntl(fd, ofdSetLock, &request) == 0 { return }
        let code = errno
        if code == EAGAIN || code == EACCES || code == EWOULDBLOCK { throw WALWriteError.locked(path: path) }
        // Kernels without OFD locks say EINVAL; fall back to flock as etcd does.
        guard code == EINVAL else { throw FileAccessError(path: path, operation: "lock", errno: code) }
        #endif
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            if code == EWOULDBLOCK { throw WALWriteError.locked(path: path) }
            throw FileAccessError(path: path, operation: "lock", errno: code)
        }
    }
}
