import Foundation
import SwarmArchive
import Testing

/// Helpers shared by the archive tests: byte generation, in-memory archives, external tools.
enum ArchiveTestSupport {
    struct Entry: Equatable {
        var path: String
        var kind: ArchiveEntryInfo.Kind
        var mode: UInt16
        var data: Data
        var modificationTime: Date
    }

    /// Pseudo-random, incompressible, reproducible bytes (xorshift64*), fast enough for tens of MiB.
    static func randomBytes(_ count: Int, seed: UInt64) -> Data {
        // splitmix64 of the seed, so neighbouring seeds give unrelated streams (and never 0).
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        state = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
        state = (state ^ (state >> 27)) &* 0x94D0_49BB_1331_11EB
        state = (state ^ (state >> 31)) | 1
        var data = Data(count: count)
        data.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < count {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                var word = (state &* 0x2545_F491_4F6C_DD1D).littleEndian
                let take = min(8, count - offset)
                withUnsafeBytes(of: &word) { raw.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: take) }
                offset += take
            }
        }
        return data
    }

    static let time = Date(timeIntervalSince1970: 1_700_000_000)

    /// The tree the round-trip and interop tests use: nested folders, several modes, an empty
    /// file, a multi-chunk random file larger than libarchive's and the reader's buffers.
    static let sampleEntries: [Entry] = [
        Entry(path: "swarm", kind: .directory, mode: 0o700, data: Data(), modificationTime: time),
        Entry(path: "swarm/raft", kind: .directory, mode: 0o755, data: Data(), modificationTime: time),
        Entry(path: "swarm/raft/wal-v3-encrypted", kind: .directory, mode: 0o700, data: Data(), modificationTime: time),
        Entry(path: "swarm/raft/wal-v3-encrypted/0000000000000000-0000000000000000.wal", kind: .file, mode: 0o600,
              data: randomBytes(5 * 1024 * 1024 + 123, seed: 7), modificationTime: time.addingTimeInterval(60)),
        Entry(path: "swarm/state.json", kind: .file, mode: 0o644, data: Data(#"{"node":"abc"}"#.utf8), modificationTime: time),
        Entry(path: "swarm/empty", kind: .file, mode: 0o600, data: Data(), modificationTime: time),
        Entry(path: "swarm/certificates", kind: .directory, mode: 0o755, data: Data(), modificationTime: time),
        Entry(path: "swarm/certificates/run.sh", kind: .file, mode: 0o700, data: Data("#!/bin/sh\n".utf8), modificationTime: time),
        Entry(path: "swarm/certificates/swarm-node.key", kind: .file, mode: 0o600, data: randomBytes(1500, seed: 9), modificationTime: time),
    ]

    /// Writes `entries` into an in-memory archive; the test data is small enough to hold.
    static func archive(_ entries: [Entry], compression: ArchiveCompression, level: Int? = nil, chunk: Int = 100_000) throws -> Data {
        var output = Data()
        let writer = try ArchiveWriter(compression: compression, level: level) { output.append(contentsOf: $0) }
        for entry in entries {
            switch entry.kind {
            case .directory:
                try writer.addDirectory(path: entry.path, mode: entry.mode, modificationTime: entry.modificationTime)
            default:
                try writer.addFile(path: entry.path, mode: entry.mode, size: Int64(entry.data.count), modificationTime: entry.modificationTime) { write in
                    // Uneven chunks, so the writer sees pieces that match no block boundary.
                    var offset = 0
                    while offset < entry.data.count {
                        let end = min(offset + chunk, entry.data.count)
                        try entry.data[offset..<end].withUnsafeBytes { try write($0) }
                        offset = end
                    }
                }
            }
        }
        try writer.finish()
        #expect(writer.bytesWritten == Int64(output.count))
        return output
    }

    /// A source that hands out `data` in pieces of at most `piece` bytes.
    static func source(_ data: Data, piece: Int = 50_000) -> ArchiveReader.Source {
        var offset = 0
        return { buffer in
            let count = min(buffer.count, piece, data.count - offset)
            data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<(offset + count))
            offset += count
            return count
        }
    }

    static func readAll(_ reader: ArchiveReader) throws -> [Entry] {
        var entries: [Entry] = []
        while let info = try reader.nextEntry() {
            var data = Data()
            try reader.readData { data.append(contentsOf: $0) }
            entries.append(Entry(path: info.path, kind: info.kind, mode: info.mode, data: data, modificationTime: info.modificationTime))
        }
        return entries
    }

    static func readAll(_ data: Data) throws -> [Entry] {
        try readAll(ArchiveReader(source: source(data)))
    }

    /// Directory paths come back with the trailing "/" tar gives them.
    static func normalized(_ entries: [Entry]) throws -> [Entry] {
        try entries.map { entry in
            var entry = entry
            entry.path = try ArchivePathSafety.normalizedPath(entry.path)
            return entry
        }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swarmarchive-test-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a tool; its output goes to files so large listings cannot fill a pipe and block.
    static func run(_ tool: String, _ arguments: [String], in directory: URL? = nil) throws -> Result {
        try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) missing: run scripts/install-system-packages.sh")
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(
            status: process.terminationStatus,
            stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    static let tar = "/usr/bin/tar"
    static let zstd = "/usr/bin/zstd"
    static let python = "/usr/bin/python3"

    /// GNU tar's flag for each compression when reading or writing a file.
    static func tarFlag(_ compression: ArchiveCompression) -> [String] {
        switch compression {
        case .zstd: ["--zstd"]
        case .gzip: ["--gzip"]
        case .none: []
        }
    }
}
