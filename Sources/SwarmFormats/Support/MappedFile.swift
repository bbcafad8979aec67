#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A read-only memory map of a whole file.
///
/// WAL segments are preallocated to 64 MB and mostly zeros; mapping them means only the
/// pages we actually decode are ever read, which keeps peak memory proportional to the log's
/// real content rather than to the segment size.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let count: Int
    private let base: UnsafeMutableRawPointer?

    public init(path: String) throws(FileAccessError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileAccessError(path: path, operation: "stat", errno: errno) }
        count = Int(info.st_size)
        if count == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw FileAccessError(path: path, operation: "mmap", errno: errno)
        }
        base = mapped
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// Drops the pages before `offset` from memory; they are read again from the file if
    /// touched later. Keeps a long sequential pass over a big segment from holding all of it
    /// resident at once.
    public func releasePages(before offset: Int) {
        guard let base, offset > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = min(offset, count) / page * page
        if length > 0 { madvise(base, length, MADV_DONTNEED) }
    }

    /// The mapped bytes; valid only inside `body` (the map lives as long as `self`).
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}

/// An operating-system error on a named file, for messages an operator can act on.
public struct FileAccessError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let operation: String
    public let code: Int32

    public init(path: String, operation: String, errno code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    public var description: String {
        "\(path): cannot \(operation): \(String(cString: strerror(code)))"
    }
}
