import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes a socket path ready to bind: a live socket (something accepts connections on it)
/// is refused, a stale one left by a crashed server is removed, anything else is refused.
enum SocketPreflight {
    static let maxPathBytes = 107

    static func prepare(_ path: String) throws(ListenError) {
        guard path.utf8.count <= maxPathBytes else { throw ListenError.socketPathTooLong(path) }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw ListenError.notASocket(path) }
        if isLive(path) { throw ListenError.socketInUse(path) }
        unlink(path)
    }

    static func isLive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    /// Group access like Docker's own socket: the owner and the group may connect.
    static func restrict(_ path: String) {
        chmod(path, 0o660)
    }

    /// Removes the socket on shutdown, only if it is still a socket.
    static func remove(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { return }
        unlink(path)
    }
}
