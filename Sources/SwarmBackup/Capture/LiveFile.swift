#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats

/// A file of a running manager, opened read-only. It is read with `pread` into our own
/// buffers, never mapped: swarmkit truncates a WAL segment when it cuts the next one, and a
/// mapped page past the new end would kill us with SIGBUS. Holding the descriptor also keeps
/// the bytes readable if swarmkit deletes the file (snapshot and WAL garbage collection)
/// while we copy.
final class LiveFile {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open", errno: errno) }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    var size: Int {
        get throws {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw FileAccessError(path: path, operation: "examine", errno: errno) }
            return Int(info.st_size)
        }
    }

    var mode: mode_t {
        get throws {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw FileAccessError(path: path, operation: "examine", errno: errno) }
            return mode_t(info.st_mode & 0o7777)
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// The whole file, for the small ones (keys, certificates, state files).
    func readAll(limit: Int = 16 << 20) throws -> Data {
        let size = try self.size
        guard size <= limit else { throw FileAccessError(path: path, operation: "read (file too large)", errno: EFBIG) }
        var data = Data(count: size)
        let n = try data.withUnsafeMutableBytes { buffer in
            try read(into: buffer, at: 0)
        }
        data.count = n
        return data
    }

    /// Copies the first `length` bytes (or up to the end of the file) into a new file at
    /// `destination`. Not synced: the copy is our private working copy, not the backup.
    func copy(to destination: String, length: Int? = nil, mode: mode_t) throws -> Int {
        let output = try FileSync.createFile(destination, mode: mode)
        defer { FileSync.closeDescriptor(output) }
        let limit = try length ?? size
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while offset < limit {
            let want = min(buffer.count, limit - offset)
            let n = try buffer.withUnsafeMutableBytes { all in
                try read(into: UnsafeMutableRawBufferPointer(rebasing: all[0..<want]), at: offset)
            }
            if n == 0 { break }
            try buffer.withUnsafeBytes { all in
                try FileSync.write(output, UnsafeRawBufferPointer(rebasing: all[0..<n]), at: offset, path: destination)
            }
            offset += n
        }
        return offset
    }
}
