#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The file steps around a WAL's life that are not appends: setting stale staging aside,
/// keeping a copy of a damaged segment, zeroing a torn tail. Nothing here deletes anything
/// that could hold data.
enum WALStaging {
    static let directoryMode: mode_t = 0o700

    /// A `<dir>.tmp` left by an interrupted create is renamed aside (etcd would delete it).
    static func moveAsideStale(_ path: String) throws {
        guard try FileSync.entry(path) != .missing else { return }
        try FileSync.rename(path, to: uniqueName(path + ".stale"))
        try FileSync.syncDirectory((path as NSString).deletingLastPathComponent)
    }

    /// Copies a segment that ends in a torn record to `<segment>.broken` before its tail is
    /// zeroed, as etcd's repair does, so the bytes that are about to go stay available.
    static func keepBrokenCopy(of segment: WALSegmentFile, directory: String) throws {
        let target = uniqueName(segment.path + ".broken")
        let size = try FileSync.size(segment.fd, path: segment.path)
        let out = try FileSync.createFile(target, mode: WALSegmentFile.fileMode)
        defer { FileSync.closeDescriptor(out) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var done = 0
        while done < size {
            let n = chunk.withUnsafeMutableBytes { pread(segment.fd, $0.baseAddress, min($0.count, size - done), off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: segment.path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            try FileSync.write(out, chunk[0..<n], at: done, path: target)
            done += n
        }
        try FileSync.sync(out, path: target)
        try FileSync.syncDirectory(directory)
    }

    /// etcd's `ZeroToEnd`: everything after `offset` becomes zeros (truncate, then extend the
    /// file back to its size), so a later partial overwrite can never be mistaken for records.
    static func zero(_ segment: WALSegmentFile, from offset: Int) throws {
        let size = try FileSync.size(segment.fd, path: segment.path)
        guard size > offset else { return }
        try FileSync.truncate(segment.fd, to: offset, path: segment.path)
        try FileSync.preallocate(segment.fd, size: size, path: segment.path)
        try FileSync.sync(segment.fd, path: segment.path)
    }

    /// `base` itself when free, else `base.1`, `base.2`, …
    static func uniqueName(_ base: String) -> String {
        var candidate = base
        var n = 0
        while (try? FileSync.entry(candidate)) != .missing {
            n += 1
            candidate = "\(base).\(n)"
        }
        return candidate
    }
}
