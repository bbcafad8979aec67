import Foundation
import SwarmArchive
import Testing

/// Not a timed test: prints throughput so the default levels can be chosen from numbers.
/// Run with SWARMARCHIVE_BENCH=1.
@Suite(.serialized) struct ThroughputTests {
    static let enabled = ProcessInfo.processInfo.environment["SWARMARCHIVE_BENCH"] == "1"

    /// Encrypted WAL/snapshot bytes (incompressible) and, for contrast, text-like bytes.
    @Test(.enabled(if: enabled), arguments: ["random", "text"]) func compressionThroughput(kind: String) throws {
        let directory = try ArchiveTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let size = 50 * 1024 * 1024
        let file = folder.appendingPathComponent("wal.bin")
        if kind == "random" {
            try ArchiveTestSupport.randomBytes(size, seed: 42).write(to: file)
        } else {
            var text = Data()
            var counter = 0
            while text.count < size {
                text.append(contentsOf: #"{"id":"\#(counter)","name":"service-\#(counter % 97)","replicas":\#(counter % 5),"image":"registry.example/app:\#(counter % 13)"}\#n"#.utf8)
                counter += 1
            }
            try text.prefix(size).write(to: file)
        }
        print("data: \(kind)")

        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let tarSeconds = try time {
            let result = try ArchiveTestSupport.run(ArchiveTestSupport.tar, ["-czf", directory.appendingPathComponent("ref.tar.gz").path, "-C", directory.path, "state"])
            #expect(result.status == 0)
        }
        print(String(format: "tar -czf: %.3f s (%.0f MiB/s)", tarSeconds, 50 / tarSeconds))

        let configurations: [(ArchiveCompression, Int?)] = [
            (.zstd, 1), (.zstd, 2), (.zstd, 3), (.zstd, 6), (.zstd, 19), (.gzip, 1), (.gzip, 6), (.none, nil),
        ]
        for (compression, level) in configurations {
            let output = directory.appendingPathComponent("out.\(compression.fileExtension)")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            var written: Int64 = 0
            let seconds = try time {
                let writer = try ArchiveWriter(compression: compression, level: level) { try handle.write(contentsOf: Data($0)) }
                let input = try FileHandle(forReadingFrom: file)
                try writer.addFile(path: "state/wal.bin", mode: 0o600, size: Int64(size), modificationTime: Date()) { write in
                    while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                        try chunk.withUnsafeBytes { try write($0) }
                    }
                }
                try input.close()
                try writer.finish()
                written = writer.bytesWritten
            }
            try handle.close()
            var entries = 0, bytes = 0
            let readSeconds = try time {
                let reader = try ArchiveReader(path: output.path)
                while try reader.nextEntry() != nil {
                    try reader.readData { bytes += $0.count }
                    entries += 1
                }
            }
            #expect(entries == 1)
            #expect(bytes == size)
            print(String(format: "%@ level %@: write %.3f s (%.0f MiB/s, %.2f× tar -czf), read %.3f s, ratio %.4f",
                         compression.rawValue, level.map(String.init) ?? "-", seconds, 50 / seconds, seconds / tarSeconds,
                         readSeconds, Double(written) / Double(size)))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak RSS of the test process: \(usage.ru_maxrss / 1024) MiB (includes the 50 MiB test file held once while writing it)")
    }

    /// Streams 256 MiB through the writer to a file and back through the reader; peak memory
    /// must not follow the data size.
    @Test(.enabled(if: enabled)) func memoryStaysFlat() throws {
        func peakMiB() -> Int {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return usage.ru_maxrss / 1024
        }
        let directory = try ArchiveTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("big.tar.zst")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let chunkSize = 1024 * 1024
        let total: Int64 = 256 * 1024 * 1024
        let before = peakMiB()
        let start = Date()

        let handle = try FileHandle(forWritingTo: url)
        let writer = try ArchiveWriter(compression: .zstd) { try handle.write(contentsOf: Data($0)) }
        try writer.addFile(path: "big", mode: 0o600, size: total, modificationTime: Date()) { write in
            // Fresh bytes per chunk: a repeated chunk would be found by zstd's window and shrink away.
            for index in 0..<(total / Int64(chunkSize)) {
                try ArchiveTestSupport.randomBytes(chunkSize, seed: UInt64(index + 1)).withUnsafeBytes { try write($0) }
            }
        }
        try writer.finish()
        try handle.close()
        let afterWriting = peakMiB()

        let reader = try ArchiveReader(path: url.path)
        var readBack: Int64 = 0
        while try reader.nextEntry() != nil {
            try reader.readData { readBack += Int64($0.count) }
        }
        let afterReading = peakMiB()
        #expect(readBack == total)
        #expect(writer.bytesWritten > total)
        print("memory: peak RSS \(before) MiB before, \(afterWriting) MiB after writing, \(afterReading) MiB after reading \(total >> 20) MiB (\(String(format: "%.2f", Date().timeIntervalSince(start))) s)")
        #expect(afterReading - before < 64)
    }
}
