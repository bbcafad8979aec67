import Foundation
import SwarmArchive
import Testing

@Suite struct ArchiveRoundTripTests {
    typealias Support = ArchiveTestSupport

    @Test(arguments: ArchiveCompression.allCases) func roundTripsEveryEntry(compression: ArchiveCompression) throws {
        let archive = try Support.archive(Support.sampleEntries, compression: compression)
        let reader = try ArchiveReader(source: Support.source(archive))
        let entries = try Support.readAll(reader)
        #expect(reader.compression == compression)
        #expect(reader.bytesRead == Int64(archive.count))
        #expect(try Support.normalized(entries) == Support.sampleEntries)
        // Directories carry tar's trailing slash; files never do.
        #expect(entries.filter { $0.kind == .directory }.allSatisfy { $0.path.hasSuffix("/") })
        #expect(entries.filter { $0.kind == .file }.allSatisfy { !$0.path.hasSuffix("/") })
    }

    @Test func compressionActuallyHappens() throws {
        let text = Data(String(repeating: "swarm raft log entry\n", count: 50_000).utf8)
        let entry = Support.Entry(path: "log.txt", kind: .file, mode: 0o644, data: text, modificationTime: Support.time)
        let plain = try Support.archive([entry], compression: .none)
        #expect(plain.count >= text.count)
        #expect(plain.count % 512 == 0)
        for compression in [ArchiveCompression.zstd, .gzip] {
            let packed = try Support.archive([entry], compression: compression)
            #expect(packed.count < text.count / 20, "\(compression): \(packed.count) bytes")
        }
        // The stream starts with the filter's magic, so other tools recognise it.
        #expect(try Support.archive([entry], compression: .zstd).prefix(4) == Data([0x28, 0xB5, 0x2F, 0xFD]))
        #expect(try Support.archive([entry], compression: .gzip).prefix(2) == Data([0x1F, 0x8B]))
    }

    @Test(arguments: [ArchiveCompression.zstd, .gzip]) func explicitLevelsWork(compression: ArchiveCompression) throws {
        let levels = try #require(compression.levels)
        for level in [levels.lowerBound, levels.upperBound / 2] {
            let archive = try Support.archive(Array(Support.sampleEntries.prefix(5)), compression: compression, level: level)
            #expect(try Support.normalized(Support.readAll(archive)) == Array(Support.sampleEntries.prefix(5)))
        }
    }

    @Test func invalidLevelsAreRefusedUpFront() throws {
        for (compression, level) in [(ArchiveCompression.zstd, 0), (.zstd, 23), (.gzip, 10), (.gzip, -1), (.none, 1)] {
            #expect(throws: ArchiveError.invalidLevel(compression: compression, level: level)) {
                try ArchiveWriter(compression: compression, level: level) { _ in }
            }
        }
    }

    @Test func readsFromAFilePath() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("backup.\(ArchiveCompression.zstd.fileExtension)")
        try Support.archive(Support.sampleEntries, compression: .zstd).write(to: url)
        let entries = try Support.readAll(ArchiveReader(path: url.path))
        #expect(try Support.normalized(entries) == Support.sampleEntries)

        #expect(throws: ArchiveError.self) { try ArchiveReader(path: directory.appendingPathComponent("missing").path) }
        do {
            _ = try ArchiveReader(path: directory.appendingPathComponent("missing").path)
        } catch let error as ArchiveError {
            #expect(error.description.contains("missing"))
            #expect(error.description.contains("No such file"))
        }
    }

    @Test func skippingAndPartialReadsKeepTheStreamInStep() throws {
        let archive = try Support.archive(Support.sampleEntries, compression: .zstd)
        let reader = try ArchiveReader(source: Support.source(archive))
        var seen: [String] = []
        var index = 0
        while let info = try reader.nextEntry() {
            seen.append(info.path)
            switch index % 3 {
            case 0: try reader.skipData()
            case 1: break  // neither read nor skipped: nextEntry skips it
            default:
                var data = Data()
                try reader.readData { data.append(contentsOf: $0) }
                #expect(data == Support.sampleEntries[index].data)
                try reader.readData { _ in Issue.record("data handed out twice") }
            }
            index += 1
        }
        #expect(seen.count == Support.sampleEntries.count)
        #expect(try reader.nextEntry() == nil)
    }

    @Test func dataIsStreamedInBoundedChunks() throws {
        let archive = try Support.archive(Support.sampleEntries, compression: .none)
        let reader = try ArchiveReader(source: Support.source(archive))
        var largest = 0, chunks = 0
        while try reader.nextEntry() != nil {
            try reader.readData { largest = max(largest, $0.count); chunks += 1 }
        }
        #expect(largest <= 1024 * 1024)
        #expect(chunks >= 5)  // the 5 MiB file alone needs five
    }

    @Test func writerNormalizesPathsAndKeepsNonASCIINames() throws {
        var output = Data()
        let writer = try ArchiveWriter(compression: .zstd) { output.append(contentsOf: $0) }
        try writer.addDirectory(path: "./nodes//", mode: 0o755, modificationTime: Support.time)
        try writer.addData(path: "./nodes/./größe-ノード.json", mode: 0o640, modificationTime: Support.time, data: Data("{}".utf8))
        let long = "nodes/" + String(repeating: "long-directory-name/", count: 8) + "file.bin"
        try writer.addData(path: long, mode: 0o600, modificationTime: Support.time, data: Data([1, 2, 3]))
        try writer.finish()
        let entries = try Support.readAll(output)
        #expect(entries.map(\.path) == ["nodes/", "nodes/größe-ノード.json", long])
        #expect(entries.map(\.mode) == [0o755, 0o640, 0o600])
        #expect(entries[2].data == Data([1, 2, 3]))
    }

    @Test func writerRefusesUnsafePathsWithoutBreakingTheArchive() throws {
        var output = Data()
        let writer = try ArchiveWriter(compression: .gzip) { output.append(contentsOf: $0) }
        for path in ["../escape", "/etc/passwd", "", "a/../../b", "."] {
            #expect(throws: ArchiveError.self) {
                try writer.addData(path: path, mode: 0o600, modificationTime: Support.time, data: Data([1]))
            }
        }
        try writer.addData(path: "ok", mode: 0o600, modificationTime: Support.time, data: Data([1]))
        try writer.finish()
        #expect(try Support.readAll(output).map(\.path) == ["ok"])
    }

    @Test func modificationTimesSurviveToTheSecond() throws {
        let times = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_234_567_890.75), Date(timeIntervalSince1970: 4_102_444_800)]
        let entries = times.enumerated().map { index, time in
            Support.Entry(path: "f\(index)", kind: .file, mode: 0o600, data: Data([UInt8(index)]), modificationTime: time)
        }
        let read = try Support.readAll(Support.archive(entries, compression: .none))
        #expect(read.map { $0.modificationTime.timeIntervalSince1970 } == times.map { $0.timeIntervalSince1970.rounded(.down) })
    }

    @Test func ownersAreNumericRootWithoutNames() throws {
        let archive = try Support.archive(Array(Support.sampleEntries.prefix(5)), compression: .none)
        // ustar header: uid at 108 and gid at 116 (8 bytes, octal), uname at 265 and gname at 297 (32 bytes).
        let header = Array(archive.prefix(512))
        func octal(_ field: ArraySlice<UInt8>) -> Int? {
            Int(String(decoding: field.prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self), radix: 8)
        }
        #expect(octal(header[108..<116]) == 0)
        #expect(octal(header[116..<124]) == 0)
        #expect(header[265..<297].allSatisfy { $0 == 0 })
        #expect(header[297..<329].allSatisfy { $0 == 0 })
    }
}
