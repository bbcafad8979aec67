import CArchive
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a tar stream (plain, gzip or zstd, detected from its first bytes) pulled from a
/// caller-supplied source, one entry at a time, with each entry's data streamed in chunks.
///
/// Only tar is recognised: a backup is never a zip, cpio or ISO, and every extra format
/// parser is attack surface for a file that may have been tampered with.
///
/// What is checked here: tar header checksums, the compressed stream's structure, a zstd frame
/// checksum when the frame has one, truncation, and garbage after the archive. What is not:
/// file bytes inside a zstd stream written by libarchive 3.6 (it sets no frame checksum) or
/// inside a gzip stream (libarchive skips gzip's CRC). Integrity of the contents has to come
/// from the layer around the archive (age's authenticated encryption, a manifest of digests).
/// A damaged stream can also be reported late, after earlier entries were handed out, so
/// nothing read is trustworthy until `nextEntry()` has returned nil.
public final class ArchiveReader {
    /// Fills the buffer with the next bytes of the archive and returns how many; 0 at the end.
    public typealias Source = (UnsafeMutableRawBufferPointer) throws -> Int

    /// Compressed bytes taken from the source so far.
    public private(set) var bytesRead: Int64 = 0

    private static let inputSize = 256 * 1024
    private static let dataSize = 1024 * 1024

    private let archive: OpaquePointer
    private let source: Source
    private let input: UnsafeMutableRawBufferPointer
    private let data: UnsafeMutableRawBufferPointer
    /// The source's own error, kept so callers see it rather than libarchive's "read failed".
    private var sourceError: (any Error)?
    /// libarchive cannot continue after a fatal error; remembering it keeps later calls honest.
    private var failure: (any Error)?
    private var current: ArchiveEntryInfo?
    private var dataPending = false
    private var ended = false

    public init(source: @escaping Source) throws {
        guard let archive = archive_read_new() else {
            throw ArchiveError.libarchive(operation: "creating the reader", message: "out of memory")
        }
        self.archive = archive
        self.source = source
        input = .allocate(byteCount: Self.inputSize, alignment: 16)
        data = .allocate(byteCount: Self.dataSize, alignment: 16)

        try check(archive_read_support_filter_zstd(archive), "enabling zstd")
        try check(archive_read_support_filter_gzip(archive), "enabling gzip")
        try check(archive_read_support_filter_none(archive), "enabling uncompressed input")
        try check(archive_read_support_format_tar(archive), "enabling tar")
        // Keep reading past the end-of-archive marker until the stream itself ends. Otherwise
        // libarchive stops as soon as tar is satisfied: garbage appended to the archive goes
        // unnoticed, and so can the end of the compressed stream (a zstd checksum, a gzip
        // trailer) when the last block happens to fill the decompressor's buffer exactly.
        try check(
            archive_read_set_format_option(archive, "tar", "read_concatenated_archives", "1"),
            "enabling reading to the end of the stream")

        let client = Unmanaged.passUnretained(self).toOpaque()
        // Unretained is safe: the archive is owned by self and freed in deinit.
        let status = archive_read_open(
            archive, client,
            nil,
            { _, client, buffer in
                guard let client, let buffer else { return -1 }
                let reader = Unmanaged<ArchiveReader>.fromOpaque(client).takeUnretainedValue()
                return reader.fill(buffer)
            },
            nil)
        try check(status, "opening the input")
    }

    /// Reads the archive at `path` with plain read(2) calls.
    public convenience init(path: String) throws {
        let file = try FileSource(path: path)
        try self.init(source: file.next(into:))
    }

    deinit {
        archive_read_free(archive)
        input.deallocate()
        data.deallocate()
    }

    /// The compression found at the start of the stream.
    public var compression: ArchiveCompression? {
        switch archive_filter_code(archive, 0) {
        case ARCHIVE_FILTER_ZSTD: .zstd
        case ARCHIVE_FILTER_GZIP: .gzip
        case ARCHIVE_FILTER_NONE: ArchiveCompression.none
        default: nil
        }
    }

    /// The next header, or nil after the end-of-archive marker (or a clean end of stream).
    /// Any unread data of the previous entry is skipped.
    public func nextEntry() throws -> ArchiveEntryInfo? {
        if let failure { throw failure }
        if ended { return nil }
        current = nil
        dataPending = false
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        if status == ARCHIVE_EOF {
            ended = true
            return nil
        }
        // Only OK and WARN carry a usable header. RETRY ("Damaged tar archive": a bad header
        // checksum) ranks above WARN numerically but is no entry; libarchive would let us
        // resynchronise past it, which is exactly what must not happen with a damaged backup.
        guard Libarchive.succeeded(status), let entry else {
            throw fail("reading the next header")
        }
        let info = Self.info(entry)
        current = info
        dataPending = true
        return info
    }

    /// Streams the current entry's data to `body` in chunks of at most 1 MiB.
    /// Reading again after the data is consumed yields nothing.
    public func readData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let failure { throw failure }
        guard let entry = current else { throw ArchiveError.noCurrentEntry }
        guard dataPending else { return }
        dataPending = false
        var total: Int64 = 0
        while true {
            let count = archive_read_data(archive, data.baseAddress, data.count)
            if count == 0 { break }
            if count < 0 {
                throw fail("reading data of \(ArchiveError.quoted(entry.path))")
            }
            total += Int64(count)
            try body(UnsafeRawBufferPointer(rebasing: data[0..<count]))
        }
        // libarchive normally reports a short entry itself; this catches any path where it doesn't.
        if entry.kind == .file, total != entry.size {
            let error = ArchiveError.truncated(message: "entry \(ArchiveError.quoted(entry.path)) has \(total) of \(entry.size) bytes")
            failure = error
            throw error
        }
    }

    public func skipData() throws {
        if let failure { throw failure }
        guard current != nil else { throw ArchiveError.noCurrentEntry }
        guard dataPending else { return }
        dataPending = false
        if !Libarchive.succeeded(archive_read_data_skip(archive)) {
            throw fail("skipping data")
        }
    }

    // MARK: - Internals

    private func fill(_ buffer: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        guard sourceError == nil else { return -1 }
        do {
            let count = try source(input)
            guard (0...input.count).contains(count) else {
                sourceError = ArchiveError.libarchive(
                    operation: "reading the input", message: "source returned \(count) for a \(input.count)-byte buffer")
                return -1
            }
            bytesRead += Int64(count)
            buffer.pointee = UnsafeRawPointer(input.baseAddress)
            return count
        } catch {
            sourceError = error
            return -1
        }
    }

    private func check(_ status: Int32, _ operation: String) throws {
        if status != ARCHIVE_OK { throw fail(operation) }
    }

    private func fail(_ operation: String) -> any Error {
        let error = sourceError ?? Libarchive.error(operation, archive)
        if failure == nil { failure = error }
        return error
    }

    private static func info(_ entry: OpaquePointer) -> ArchiveEntryInfo {
        let hardlink = string(archive_entry_hardlink_utf8(entry), archive_entry_hardlink(entry))
        let symlink = string(archive_entry_symlink_utf8(entry), archive_entry_symlink(entry))
        let kind: ArchiveEntryInfo.Kind
        // A hard link keeps the type of its target, so check for it before the type.
        if hardlink != nil {
            kind = .hardlink
        } else {
            switch archive_entry_filetype(entry) {
            case Libarchive.regular: kind = .file
            case Libarchive.directory: kind = .directory
            case Libarchive.symlink: kind = .symlink
            case Libarchive.characterDevice: kind = .other("character device")
            case Libarchive.blockDevice: kind = .other("block device")
            case Libarchive.fifo: kind = .other("fifo")
            case Libarchive.socket: kind = .other("socket")
            case let type: kind = .other("unknown file type 0o\(String(type, radix: 8))")
            }
        }
        return ArchiveEntryInfo(
            path: string(archive_entry_pathname_utf8(entry), archive_entry_pathname(entry)) ?? "",
            kind: kind,
            mode: UInt16(truncatingIfNeeded: archive_entry_perm(entry) & 0o7777),
            size: archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0,
            modificationTime: Libarchive.date(
                seconds: Int(archive_entry_mtime(entry)), nanoseconds: Int(archive_entry_mtime_nsec(entry))),
            linkTarget: hardlink ?? symlink)
    }

    /// Prefers the UTF-8 form; falls back to the raw bytes when the name is not valid in the
    /// archive's declared charset (invalid sequences become U+FFFD, which cannot add a "/" or "..").
    private static func string(_ utf8: UnsafePointer<CChar>?, _ raw: UnsafePointer<CChar>?) -> String? {
        (utf8 ?? raw).map { String(cString: $0) }
    }
}

/// An open file read with read(2), closed when the reader that holds it goes away.
private final class FileSource {
    private let descriptor: Int32

    init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ArchiveError.cannotOpen(path: path, message: String(cString: strerror(errno)))
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    func next(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR {
                throw ArchiveError.libarchive(operation: "reading the archive file", message: String(cString: strerror(errno)))
            }
        }
    }
}
