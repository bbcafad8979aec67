#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A WAL segment open for writing, locked for as long as it is open. The writer that holds
/// it closes it (`close()`); a copy is just another name for the same descriptor.
struct WALSegmentFile {
    static let fileMode: mode_t = 0o600

    let fd: Int32
    private(set) var path: String
    private(set) var name: WALSegmentName?

    private init(fd: Int32, path: String, name: WALSegmentName?) {
        self.fd = fd
        self.path = path
        self.name = name
    }

    func close() {
        FileSync.closeDescriptor(fd)
    }

    /// Creates a new segment file (mode 0600), locks it and preallocates it. `replacing`
    /// allows reuse of a stale `N.tmp` left by a crashed writer: those files are preallocated
    /// space, never data.
    static func create(path: String, name: WALSegmentName?, size: Int, replacing: Bool = false) throws -> WALSegmentFile {
        var reuse = false
        if replacing { reuse = try FileSync.entry(path) == .other }
        let fd = reuse ? try FileSync.openForWriting(path) : try FileSync.createFile(path, mode: fileMode)
        let file = WALSegmentFile(fd: fd, path: path, name: name)
        do {
            try FileLock.lockExclusively(fd, path: path)
            if reuse {
                // Only ever the writer's own `N.tmp`: emptied in place rather than unlinked,
                // so a lock someone else holds on it is noticed above.
                try FileSync.truncate(fd, to: 0, path: path)
                guard fchmod(fd, fileMode) == 0 else {
                    throw FileAccessError(path: path, operation: "set the mode of", errno: errno)
                }
            }
            try FileSync.preallocate(fd, size: size, path: path)
        } catch {
            file.close()
            throw error
        }
        return file
    }

    /// Opens an existing segment for appending, taking its lock.
    static func openExisting(path: String, name: WALSegmentName) throws -> WALSegmentFile {
        let file = WALSegmentFile(fd: try FileSync.openForWriting(path), path: path, name: name)
        do {
            try FileLock.lockExclusively(file.fd, path: path)
        } catch {
            file.close()
            throw error
        }
        return file
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(FileAccessError) {
        try FileSync.write(fd, bytes, at: offset, path: path)
    }

    func syncData() throws(FileAccessError) {
        try FileSync.syncData(fd, path: path)
    }

    func truncate(to size: Int) throws(FileAccessError) {
        try FileSync.truncate(fd, to: size, path: path)
    }

    /// Records that the directory holding the file was renamed.
    mutating func moved(to newPath: String) {
        path = newPath
    }

    /// Renames the file; the descriptor and its lock stay valid.
    mutating func rename(to newPath: String, name newName: WALSegmentName) throws(FileAccessError) {
        try FileSync.rename(path, to: newPath)
        path = newPath
        name = newName
    }
}
