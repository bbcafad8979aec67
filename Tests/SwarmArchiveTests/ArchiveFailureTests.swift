import Foundation
import SwarmArchive
import Testing

/// What happens when things go wrong: callers' errors come back unchanged, and damaged input
/// always ends in a thrown error, never in a silent success or a crash.
@Suite struct ArchiveFailureTests {
    typealias Support = ArchiveTestSupport

    struct SinkFailure: Error, Equatable { var id: Int }
    struct SourceFailure: Error, Equatable { var id: Int }
    struct ContentsFailure: Error, Equatable {}

    static let big = Support.sampleEntries[3]

    @Test(arguments: ArchiveCompression.allCases) func sinkErrorsPropagateUnchanged(compression: ArchiveCompression) throws {
        var delivered = 0
        let writer = try ArchiveWriter(compression: compression) { chunk in
            if delivered > 200_000 { throw SinkFailure(id: 42) }
            delivered += chunk.count
        }
        try writer.addDirectory(path: "swarm", mode: 0o700, modificationTime: Support.time)
        #expect(throws: SinkFailure(id: 42)) {
            try writer.addData(path: "big", mode: 0o600, modificationTime: Support.time, data: Self.big.data)
        }
        #expect(writer.bytesWritten == Int64(delivered))
        // The writer stays failed with the same error; nothing more reaches the sink.
        #expect(throws: SinkFailure(id: 42)) {
            try writer.addData(path: "more", mode: 0o600, modificationTime: Support.time, data: Data([1]))
        }
        #expect(throws: SinkFailure(id: 42)) { try writer.finish() }
        #expect(writer.bytesWritten == Int64(delivered))
    }

    @Test func sinkErrorDuringFinishPropagates() throws {
        var failing = false
        let writer = try ArchiveWriter(compression: .zstd) { _ in if failing { throw SinkFailure(id: 7) } }
        try writer.addData(path: "small", mode: 0o600, modificationTime: Support.time, data: Data("tiny".utf8))
        failing = true  // everything so far sits in the compressor; finish() flushes it
        #expect(throws: SinkFailure(id: 7)) { try writer.finish() }
    }

    @Test func wrongByteCountsAreRefusedAndPoisonTheWriter() throws {
        for (announced, streamed) in [(10, 11), (10, 9), (0, 1)] {
            var output = Data()
            let writer = try ArchiveWriter(compression: .none) { output.append(contentsOf: $0) }
            #expect(throws: ArchiveError.sizeMismatch(path: "f", expected: Int64(announced), actual: Int64(streamed))) {
                try writer.addFile(path: "f", mode: 0o600, size: Int64(announced), modificationTime: Support.time) { write in
                    try Data(repeating: 1, count: streamed).withUnsafeBytes { try write($0) }
                }
            }
            #expect(throws: ArchiveError.sizeMismatch(path: "f", expected: Int64(announced), actual: Int64(streamed))) {
                try writer.finish()
            }
        }
    }

    @Test func aSwallowedWriteErrorStillFailsTheEntry() throws {
        let writer = try ArchiveWriter(compression: .none) { _ in }
        #expect(throws: ArchiveError.sizeMismatch(path: "f", expected: 1, actual: 2)) {
            try writer.addFile(path: "f", mode: 0o600, size: 1, modificationTime: Support.time) { write in
                try? Data([1, 2]).withUnsafeBytes { try write($0) }
            }
        }
    }

    @Test func contentsErrorsPropagateAndPoisonTheWriter() throws {
        let writer = try ArchiveWriter(compression: .gzip) { _ in }
        #expect(throws: ContentsFailure()) {
            try writer.addFile(path: "f", mode: 0o600, size: 100, modificationTime: Support.time) { write in
                try Data(repeating: 0, count: 50).withUnsafeBytes { try write($0) }
                throw ContentsFailure()
            }
        }
        #expect(throws: ContentsFailure()) { try writer.finish() }
    }

    @Test func finishIsOnceOnly() throws {
        let writer = try ArchiveWriter(compression: .zstd) { _ in }
        try writer.finish()
        #expect(throws: ArchiveError.writerClosed) { try writer.finish() }
        #expect(throws: ArchiveError.writerClosed) {
            try writer.addDirectory(path: "late", mode: 0o700, modificationTime: Support.time)
        }
    }

    /// A writer dropped without finish() (say, the backup was interrupted) must not leave
    /// something that reads as a complete archive.
    @Test func anAbandonedWriterLeavesAnIncompleteStream() throws {
        var output = Data()
        do {
            let writer = try ArchiveWriter(compression: .zstd) { output.append(contentsOf: $0) }
            try writer.addData(path: "big", mode: 0o600, modificationTime: Support.time, data: Self.big.data)
        }
        #expect(!output.isEmpty)
        #expect(throws: (any Error).self) { _ = try Support.readAll(output) }
    }

    @Test func sourceErrorsPropagateUnchanged() throws {
        let archive = try Support.archive(Support.sampleEntries, compression: .zstd)
        // At open (while libarchive sniffs the format) and in the middle of an entry's data.
        for failAt in [0, 1_000_000] {
            var offset = 0
            let source: ArchiveReader.Source = { buffer in
                if offset >= failAt { throw SourceFailure(id: failAt) }
                let count = min(buffer.count, archive.count - offset)
                archive.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<(offset + count))
                offset += count
                return count
            }
            #expect(throws: SourceFailure(id: failAt)) { _ = try Support.readAll(ArchiveReader(source: source)) }
        }
    }

    @Test(arguments: [ArchiveCompression.zstd, .gzip]) func truncatedCompressedArchivesThrow(compression: ArchiveCompression) throws {
        let archive = try Support.archive(Support.sampleEntries, compression: compression)
        // Cut inside the trailer, near the end, mid-data and right after the first headers.
        let cuts = Array(1...24) + [100, 4096, archive.count / 2, archive.count - 2048]
        for cut in cuts {
            let short = archive.prefix(archive.count - cut)
            #expect(throws: (any Error).self, "\(compression) missing its last \(cut) bytes") {
                _ = try Support.readAll(short)
            }
        }
        do {
            _ = try Support.readAll(archive.prefix(archive.count / 2))
            Issue.record("half an archive read without error")
        } catch let error as ArchiveError {
            guard case .truncated = error else { Issue.record("\(error)"); return }
            #expect(error.description.hasPrefix("archive is truncated: "))
        }
    }

    /// libarchive 3.6 writes zstd frames without a content checksum (libarchive#2675), so bytes
    /// inside stored blocks are only protected by whatever wraps the archive; what this layer
    /// does guarantee is that the frame structure and every tar header are checked.
    @Test func flippedBytesInOurZstdHeadersThrow() throws {
        let archive = try Support.archive(Support.sampleEntries, compression: .zstd)
        // The magic, then bytes of the first blocks, which carry the first tar headers.
        let positions = [0, 1, 2, 3] + Array(stride(from: 12, to: 520, by: 23))
        for position in positions {
            var damaged = archive
            damaged[position] ^= 0x01
            #expect(throws: (any Error).self, "flip at \(position)") { _ = try Support.readAll(damaged) }
        }
    }

    /// A stream made by the zstd tool carries an XXH64 checksum, which the reader must check
    /// even though the corruption sits in plain file data.
    @Test func flippedBytesInChecksummedZstdThrowAnywhere() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Support.randomBytes(2 * 1024 * 1024, seed: 5).write(to: directory.appendingPathComponent("wal"))
        let made = try Support.run(Support.tar, ["--zstd", "-cf", "backup.tar.zst", "wal"], in: directory)
        try #require(made.status == 0, "\(made.stderr)")
        let archive = try Data(contentsOf: directory.appendingPathComponent("backup.tar.zst"))
        #expect(try Support.readAll(archive).first?.data.count == 2 * 1024 * 1024)
        for position in stride(from: 0, to: archive.count, by: archive.count / 40) + [archive.count - 1] {
            var damaged = archive
            damaged[position] ^= 0x80
            #expect(throws: (any Error).self, "flip at \(position) of \(archive.count)") { _ = try Support.readAll(damaged) }
        }
    }

    @Test func garbageAfterTheArchiveIsNoticed() throws {
        for compression in [ArchiveCompression.zstd, .none] {
            var archive = try Support.archive(Array(Support.sampleEntries.prefix(5)), compression: compression)
            archive.append(Support.randomBytes(1024, seed: 3))
            #expect(throws: (any Error).self, "\(compression)") { _ = try Support.readAll(archive) }
        }
    }

    @Test func nonTarInputIsRefused() throws {
        let inputs: [(String, Data)] = [
            ("empty", Data()),
            ("random", Support.randomBytes(10_000, seed: 1)),
            ("zip", Data([0x50, 0x4B, 0x03, 0x04]) + Data(repeating: 0, count: 600)),
            ("text", Data(String(repeating: "not an archive\n", count: 100).utf8)),
        ]
        for (name, data) in inputs {
            #expect(throws: ArchiveError.self, "\(name)") { _ = try Support.readAll(data) }
        }
        do {
            _ = try Support.readAll(Support.randomBytes(10_000, seed: 1))
        } catch let error as ArchiveError {
            #expect(error.description == "archive: opening the input failed: Unrecognized archive format")
        }
    }

    @Test func readingWithoutAnEntryIsAnError() throws {
        let archive = try Support.archive([], compression: .none)
        let reader = try ArchiveReader(source: Support.source(archive))
        #expect(throws: ArchiveError.noCurrentEntry) { try reader.readData { _ in } }
        #expect(try reader.nextEntry() == nil)
        #expect(throws: ArchiveError.noCurrentEntry) { try reader.skipData() }
    }
}
