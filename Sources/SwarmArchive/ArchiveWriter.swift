import CArchive
import Foundation

/// Writes a pax tar stream, compressed by libarchive, to a caller-supplied sink.
///
/// Nothing is buffered beyond libarchive's own block and compressor buffers, so memory stays
/// flat however large the entries are. Entries carry numeric owner 0:0 and no user or group
/// names: a restore recreates files as whoever runs it, and names would only leak host details.
///
/// Any failure (sink error, libarchive error, wrong byte count, an error from a file's
/// contents closure) leaves the output unusable, so the writer refuses all further calls and
/// never writes an end-of-archive marker after it. Dropping the writer without `finish()`
/// likewise leaves a stream no reader accepts as complete.
///
/// libarchive 3.6's zstd filter writes no frame checksum, so the stream alone does not protect
/// file contents against corruption; the caller's encryption layer does.
public final class ArchiveWriter {
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    public let compression: ArchiveCompression
    /// Compressed bytes accepted by the sink so far.
    public private(set) var bytesWritten: Int64 = 0

    private let archive: OpaquePointer
    private let sink: Sink
    /// The sink's own error, kept so callers see it rather than libarchive's "write failed".
    private var sinkError: (any Error)?
    private var failure: (any Error)?
    private var finished = false

    public init(compression: ArchiveCompression, level: Int? = nil, sink: @escaping Sink) throws {
        if let level {
            guard let levels = compression.levels, levels.contains(level) else {
                throw ArchiveError.invalidLevel(compression: compression, level: level)
            }
        }
        guard let archive = archive_write_new() else {
            throw ArchiveError.libarchive(operation: "creating the writer", message: "out of memory")
        }
        self.archive = archive
        self.compression = compression
        self.sink = sink

        try check(archive_write_set_format_pax_restricted(archive), "setting the pax format")
        switch compression {
        case .zstd: try check(archive_write_add_filter_zstd(archive), "adding the zstd filter")
        case .gzip: try check(archive_write_add_filter_gzip(archive), "adding the gzip filter")
        case .none: try check(archive_write_add_filter_none(archive), "adding no filter")
        }
        if let level = level ?? compression.defaultLevel {
            try check(
                archive_write_set_filter_option(archive, compression.rawValue, "compression-level", String(level)),
                "setting \(compression.rawValue) compression level \(level)")
        }
        // Blocks only decide how the stream is chunked for the sink; 64 KiB keeps the number of
        // sink calls low. Padding the last block would only add zeros after the compressed
        // stream (or after the tar trailer), which no reader needs.
        try check(archive_write_set_bytes_per_block(archive, 64 * 1024), "setting the block size")
        try check(archive_write_set_bytes_in_last_block(archive, 1), "setting the last block size")

        let client = Unmanaged.passUnretained(self).toOpaque()
        // Unretained is safe: the archive is owned by self and freed in deinit, so libarchive
        // can only call back while self exists.
        let status = archive_write_open2(
            archive, client,
            nil,
            { _, client, buffer, length in
                guard let client else { return -1 }
                let writer = Unmanaged<ArchiveWriter>.fromOpaque(client).takeUnretainedValue()
                return writer.deliver(UnsafeRawBufferPointer(start: buffer, count: length))
            },
            nil, nil)
        try check(status, "opening the output")
    }

    deinit {
        if !finished {
            // An abandoned archive must not look complete: no trailer, no final flush.
            failure = failure ?? ArchiveError.writerClosed
            archive_write_fail(archive)
        }
        archive_write_free(archive)
    }

    public func addDirectory(path: String, mode: UInt16, modificationTime: Date) throws {
        try writeHeader(path: path, type: Libarchive.directory, mode: mode, size: 0, modificationTime: modificationTime)
        try finishEntry(path)
    }

    /// Adds a regular file whose `size` bytes `contents` streams through the `write` it is given.
    public func addFile(
        path: String, mode: UInt16, size: Int64, modificationTime: Date,
        contents: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        guard size >= 0 else { throw ArchiveError.sizeMismatch(path: path, expected: size, actual: 0) }
        try writeHeader(path: path, type: Libarchive.regular, mode: mode, size: size, modificationTime: modificationTime)
        var written: Int64 = 0
        do {
            try contents { chunk in
                try self.usable()
                guard Int64(chunk.count) <= size - written else {
                    throw self.fail(ArchiveError.sizeMismatch(path: path, expected: size, actual: written + Int64(chunk.count)))
                }
                try self.writeData(chunk, path: path)
                written += Int64(chunk.count)
            }
        } catch {
            // The header is out and the data is not: the stream can no longer become a valid archive.
            throw fail(error)
        }
        // A closure that swallowed our error must not turn a broken archive into a good one.
        try usable()
        guard written == size else {
            // libarchive would pad the gap with zeros and carry on; that file would be corrupt.
            throw fail(ArchiveError.sizeMismatch(path: path, expected: size, actual: written))
        }
        try finishEntry(path)
    }

    public func addData(path: String, mode: UInt16, modificationTime: Date, data: some DataProtocol) throws {
        try addFile(path: path, mode: mode, size: Int64(data.count), modificationTime: modificationTime) { write in
            for region in data.regions {
                try region.withUnsafeBytes { try write($0) }
            }
        }
    }

    /// Writes the end-of-archive marker and flushes the compressor into the sink.
    /// Must be called exactly once, after the last entry.
    public func finish() throws {
        try usable()
        finished = true
        let status = archive_write_close(archive)
        if status != ARCHIVE_OK {
            throw fail(sinkError ?? Libarchive.error("finishing the archive", archive))
        }
    }

    // MARK: - Internals

    private func writeHeader(path: String, type: mode_t, mode: UInt16, size: Int64, modificationTime: Date) throws {
        try usable()
        // The writer holds itself to the rules the reader enforces, so its archives always restore.
        let name = try ArchivePathSafety.normalizedPath(path)
        guard name != "." else {
            throw ArchiveError.unsafeEntry(path: path, reason: "the archive root is implicit and cannot be added")
        }
        guard let entry = archive_entry_new() else {
            throw fail(ArchiveError.libarchive(operation: "creating an entry", message: "out of memory"))
        }
        defer { archive_entry_free(entry) }
        // Handed over as the locale's multibyte form, i.e. the UTF-8 bytes unchanged. Setting only
        // the UTF-8 form crashes libarchive 3.6 in a C locale (it needs the multibyte form for the
        // ustar fields); this way non-ASCII names get a pax record with hdrcharset=BINARY, which
        // GNU tar extracts byte for byte (after a harmless "unknown keyword" notice).
        archive_entry_copy_pathname(entry, type == Libarchive.directory ? name + "/" : name)
        archive_entry_set_filetype(entry, UInt32(type))
        archive_entry_set_perm(entry, mode_t(mode & 0o7777))
        archive_entry_set_size(entry, size)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        let time = Libarchive.timestamp(modificationTime)
        archive_entry_set_mtime(entry, time_t(time.seconds), time.nanoseconds)
        let status = archive_write_header(archive, entry)
        // Warnings (e.g. a name that also had to go into a pax record) still produce a valid header.
        if !Libarchive.succeeded(status) {
            throw fail(sinkError ?? Libarchive.error("writing the header of \(ArchiveError.quoted(path))", archive))
        }
    }

    private func writeData(_ chunk: UnsafeRawBufferPointer, path: String) throws {
        guard var next = chunk.baseAddress else { return }
        var remaining = chunk.count
        while remaining > 0 {
            let accepted = archive_write_data(archive, next, remaining)
            if accepted <= 0 {
                throw fail(sinkError ?? Libarchive.error("writing data of \(ArchiveError.quoted(path))", archive))
            }
            next += accepted
            remaining -= accepted
        }
    }

    private func finishEntry(_ path: String) throws {
        if !Libarchive.succeeded(archive_write_finish_entry(archive)) {
            throw fail(sinkError ?? Libarchive.error("finishing \(ArchiveError.quoted(path))", archive))
        }
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer) -> Int {
        // After a failure (or from deinit) nothing more may reach the sink.
        guard failure == nil, sinkError == nil else { return -1 }
        do {
            try sink(bytes)
            bytesWritten += Int64(bytes.count)
            return bytes.count
        } catch {
            sinkError = error
            return -1
        }
    }

    private func check(_ status: Int32, _ operation: String) throws {
        if status != ARCHIVE_OK {
            throw fail(sinkError ?? Libarchive.error(operation, archive))
        }
    }

    private func usable() throws {
        if let failure { throw failure }
        if finished { throw ArchiveError.writerClosed }
    }

    @discardableResult
    private func fail(_ error: any Error) -> any Error {
        if failure == nil { failure = error }
        return error
    }
}
