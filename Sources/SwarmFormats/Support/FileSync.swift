#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import FaultInjection
import Foundation

/// The POSIX steps the writers need, each failing with the path and the operation so an
/// operator can act on the message. Modes are set explicitly (never left to the umask) and
/// every durable step is an fsync of the file *and* of the directory that names it: a rename
/// or a new file is only crash-safe once its directory has been synced.
///
/// Every call here that changes the file system is a crash-test step (`FaultPoint.step`): a
/// debug build can be killed just before any of them, which is how the crash-injection tests
/// reach every fsync and rename of every command.
package enum FileSync {
    /// The entries of a folder; nil when it does not exist.
    package static func listDirectory(_ path: String) throws(FileAccessError) -> [String]? {
        guard let stream = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileAccessError(path: path, operation: "list", errno: errno)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates a new file (never opens an existing one) for writing.
    package static func createFile(_ path: String, mode: mode_t) throws(FileAccessError) -> Int32 {
        FaultPoint.step("create", path)
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "create", errno: errno) }
        // The umask may have stripped bits; the formats prescribe exact modes.
        guard fchmod(fd, mode) == 0 else {
            let code = errno
            close(fd)
            throw FileAccessError(path: path, operation: "set the mode of", errno: code)
        }
        return fd
    }

    /// Creates a new file (never overwrites), writes all of `data` and fsyncs it.
    package static func writeNewFile(_ path: String, _ data: Data, mode: mode_t) throws(FileAccessError) {
        let fd = try createFile(path, mode: mode)
        defer { closeDescriptor(fd) }
        try write(fd, data, at: 0, path: path)
        try sync(fd, path: path)
    }

    package static func openForWriting(_ path: String) throws(FileAccessError) -> Int32 {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open for writing", errno: errno) }
        return fd
    }

    /// Closes a descriptor whose data was already synced (or is being abandoned).
    package static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }

    package static func makeDirectory(_ path: String, mode: mode_t) throws(FileAccessError) {
        FaultPoint.step("mkdir", path)
        guard mkdir(path, mode) == 0 else { throw FileAccessError(path: path, operation: "create directory", errno: errno) }
        guard chmod(path, mode) == 0 else { throw FileAccessError(path: path, operation: "set the mode of", errno: errno) }
    }

    /// Writes all of `buffer` at `offset` (positioned writes: no shared file offset to track).
    package static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int, path: String) throws(FileAccessError) {
        guard let base = buffer.baseAddress else { return }
        FaultPoint.step("write", path)
        var done = 0
        while done < buffer.count {
            let n = pwrite(fd, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, operation: "write", errno: errno)
            }
            done += n
        }
    }

    package static func write(_ fd: Int32, _ bytes: some ContiguousBytes, at offset: Int, path: String) throws(FileAccessError) {
        // withUnsafeBytes only rethrows untyped errors; carry ours out by hand.
        let failure = bytes.withUnsafeBytes { buffer -> FileAccessError? in
            do throws(FileAccessError) {
                try write(fd, buffer, at: offset, path: path)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// fsync: data and metadata (size, mode) of a file.
    package static func sync(_ fd: Int32, path: String) throws(FileAccessError) {
        FaultPoint.step("fsync", path)
        guard fsync(fd) == 0 else { throw FileAccessError(path: path, operation: "fsync", errno: errno) }
    }

    /// fdatasync where it exists, as etcd syncs WAL segments: the size of a preallocated
    /// segment never changes on append, so the data is all that has to reach the disk.
    package static func syncData(_ fd: Int32, path: String) throws(FileAccessError) {
        #if os(Linux)
        FaultPoint.step("fdatasync", path)
        guard fdatasync(fd) == 0 else { throw FileAccessError(path: path, operation: "fdatasync", errno: errno) }
        #else
        try sync(fd, path: path)
        #endif
    }

    /// Makes the names in a directory (new files, renames) durable.
    package static func syncDirectory(_ path: String) throws(FileAccessError) {
        FaultPoint.step("fsync-dir", path)
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open directory", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileAccessError(path: path, operation: "fsync directory", errno: errno) }
    }

    /// rename(2). Atomic; replaces `to` only when it is a file or an empty directory.
    package static func rename(_ from: String, to: String) throws(FileAccessError) {
        FaultPoint.step("rename", to)
        guard Foundation.rename(from, to) == 0 else {
            throw FileAccessError(path: to, operation: "rename \(from) to", errno: errno)
        }
    }

    /// Replaces the file at `path` with `data` so that a reader (or a crash) sees the old
    /// content or the new, never a mix or nothing: written to a temporary sibling, synced,
    /// renamed over `path`, directory synced. With `keepingPreviousAt`, the old file is first
    /// hard-linked there, so it is kept without `path` ever being missing.
    package static func replaceFile(
        _ path: String, with data: Data, mode: mode_t, keepingPreviousAt previous: String? = nil
    ) throws(FileAccessError) {
        let temporary = "\(path).swarmsafe-new-\(getpid())"
        // Killed runs' temporaries (their pid gone, or reused by us): only ever our own copies.
        _ = unlink(temporary)
        for leftover in ProcessLiveness.abandoned(in: (path as NSString).deletingLastPathComponent, prefix: (path as NSString).lastPathComponent + ".swarmsafe-new-") {
            _ = unlink(leftover)
        }
        do throws(FileAccessError) {
            try writeNewFile(temporary, data, mode: mode)
            if let previous {
                FaultPoint.step("link", previous)
            }
            if let previous, link(path, previous) != 0 {
                throw FileAccessError(path: previous, operation: "keep \(path) as", errno: errno)
            }
            try rename(temporary, to: path)
        } catch {
            _ = unlink(temporary)
            throw error
        }
        let directory = (path as NSString).deletingLastPathComponent
        try syncDirectory(directory.isEmpty ? "." : directory)
    }

    package static func truncate(_ fd: Int32, to size: Int, path: String) throws(FileAccessError) {
        FaultPoint.step("truncate", path)
        guard ftruncate(fd, off_t(size)) == 0 else { throw FileAccessError(path: path, operation: "truncate", errno: errno) }
    }

    /// Extends a file to `size` with real blocks reserved, as etcd preallocates segments
    /// (fallocate mode 0); where the file system cannot, the size is set with ftruncate, which
    /// reads back as zeros all the same.
    package static func preallocate(_ fd: Int32, size: Int, path: String) throws(FileAccessError) {
        FaultPoint.step("preallocate", path)
        #if os(Linux)
        // posix_fallocate is fallocate mode 0 where the file system supports it.
        var result: Int32
        repeat {
            result = posix_fallocate(fd, 0, off_t(size))
        } while result == EINTR
        if result == 0 { return }
        guard result == EOPNOTSUPP || result == ENOSYS || result == EINVAL else {
            throw FileAccessError(path: path, operation: "preallocate", errno: result)
        }
        #endif
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileAccessError(path: path, operation: "stat", errno: errno) }
        if Int(info.st_size) < size { try truncate(fd, to: size, path: path) }
    }

    package static func size(_ fd: Int32, path: String) throws(FileAccessError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileAccessError(path: path, operation: "stat", errno: errno) }
        return Int(info.st_size)
    }

    /// What is at a path, without following a final symlink.
    package enum Entry: Equatable, Sendable {
        case missing
        case emptyDirectory
        case nonEmptyDirectory
        case other
    }

    package static func entry(_ path: String) throws(FileAccessError) -> Entry {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return .missing }
            throw FileAccessError(path: path, operation: "examine", errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return .other }
        // Gone between the lstat and the listing: as missing as if the lstat had found nothing.
        guard let names = try listDirectory(path) else { return .missing }
        return names.isEmpty ? .emptyDirectory : .nonEmptyDirectory
    }

    /// Permission bits of whatever is at `path`, without following a final symlink.
    package static func mode(of path: String) throws(FileAccessError) -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw FileAccessError(path: path, operation: "examine", errno: errno) }
        return mode_t(info.st_mode & 0o7777)
    }

    /// `path`'s mode, or `missing` when there is nothing at `path` (a file about to be created
    /// gets the mode it would have had); any other failure to examine it is an error.
    package static func mode(of path: String, orIfMissing missing: mode_t) throws(FileAccessError) -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return missing }
            throw FileAccessError(path: path, operation: "examine", errno: errno)
        }
        return mode_t(info.st_mode & 0o7777)
    }

    /// True for a regular file (not a symlink to one).
    package static func isRegularFile(_ path: String) throws(FileAccessError) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw FileAccessError(path: path, operation: "examine", errno: errno) }
        return info.st_mode & S_IFMT == S_IFREG
    }
}
