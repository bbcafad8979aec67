import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX steps `init` needs, with exact modes (independent of the umask) and fsync,
/// so a crash never leaves a half-written state directory that looks complete.
enum InitFileSystem {
    enum Entry: Equatable {
        case missing
        case emptyDirectory
        case nonEmptyDirectory
        case notADirectory
    }

    static func inspect(_ path: String) throws(InitError) -> Entry {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return .missing }
            throw failure(path, "examine", errno)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return .notADirectory }
        let contents: [String]
        do {
            contents = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .filesystem(path: path, operation: "list", reason: "\(error.localizedDescription)")
        }
        return contents.isEmpty ? .emptyDirectory : .nonEmptyDirectory
    }

    static func makeDirectory(_ path: String, mode: mode_t) throws(InitError) {
        guard mkdir(path, mode) == 0 else { throw failure(path, "create directory", errno) }
        guard chmod(path, mode) == 0 else { throw failure(path, "set mode of", errno) }
    }

    /// Creates a new file (never overwrites), writes it completely and fsyncs it.
    static func writeFile(_ path: String, _ data: Data, mode: mode_t) throws(InitError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(path, "create", errno) }
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else { throw failure(path, "set mode of", errno) }
        let failedErrno: Int32? = data.withUnsafeBytes { buffer -> Int32? in
            guard let base = buffer.baseAddress else { return nil }
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failedErrno { throw failure(path, "write", failedErrno) }
        guard fsync(fd) == 0 else { throw failure(path, "fsync", errno) }
    }

    static func syncDirectory(_ path: String) throws(InitError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "open directory", errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure(path, "fsync directory", errno) }
    }

    /// `rename(2)`: atomic, and replaces `to` only when it is an empty directory.
    static func rename(_ from: String, to: String) throws(InitError) {
        guard Foundation.rename(from, to) == 0 else {
            let code = errno
            if code == ENOTEMPTY || code == EEXIST { throw .targetNotEmpty(path: to) }
            throw failure(to, "rename \(from) to", code)
        }
    }

    /// Removes a staging tree this process created; failures are ignored because the
    /// operation has already failed for a reason worth reporting instead.
    static func removeStaging(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func failure(_ path: String, _ operation: String, _ code: Int32) -> InitError {
        .filesystem(path: path, operation: operation, reason: String(cString: strerror(code)))
    }
}
