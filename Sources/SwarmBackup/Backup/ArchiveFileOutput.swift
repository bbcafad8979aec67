#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats

/// The file a backup archive is written to: a hidden temporary name in the repository until it
/// is complete and synced, then renamed to its final name. A run that fails or is killed never
/// leaves a file that looks like a finished backup.
final class ArchiveFileOutput: ArchiveOutput {
    let temporaryPath: String
    let finalPath: String
    private var fd: Int32
    private var offset = 0
    private var buffer: [UInt8] = []
    private static let flushSize = 1 << 20

    init(temporaryPath: String, finalPath: String) throws {
        self.temporaryPath = temporaryPath
        self.finalPath = finalPath
        fd = try FileSync.createFile(temporaryPath, mode: 0o600)
        buffer.reserveCapacity(Self.flushSize)
    }

    private var published = false

    deinit {
        if fd >= 0 { FileSync.closeDescriptor(fd) }
        // Never published: only our own incomplete or unchecked file, which must not linger
        // where it could be mistaken for a backup.
        if !published { unlink(temporaryPath) }
    }

    var bytesWritten: Int64 { Int64(offset + buffer.count) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > Self.flushSize { try flush() }
        if bytes.count >= Self.flushSize {
            try FileSync.write(fd, bytes, at: offset, path: temporaryPath)
            offset += bytes.count
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try FileSync.write(fd, $0, at: offset, path: temporaryPath) }
        offset += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes out what is buffered, syncs and closes the file, still under its temporary name.
    func finishWriting() throws {
        try flush()
        try FileSync.sync(fd, path: temporaryPath)
        FileSync.closeDescriptor(fd)
        fd = -1
    }

    func readBack() throws -> any ArchiveByteSource {
        try FileByteSource(path: temporaryPath)
    }

    /// Gives the finished file its final name and syncs the repository directory.
    func publish() throws {
        // link + unlink rather than rename: an existing archive of the same name is an error,
        // never silently replaced.
        guard link(temporaryPath, finalPath) == 0 else {
            throw FileAccessError(path: finalPath, operation: "create", errno: errno)
        }
        published = true
        unlink(temporaryPath)
        try FileSync.syncDirectory((finalPath as NSString).deletingLastPathComponent)
    }
}
