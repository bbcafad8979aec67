import Foundation
import SwarmFormats
import SwarmProto
import SwarmTestSupport

/// Helpers shared by the WAL writer tests: the raw record sequence of a segment, temporary
/// folders.
enum WALTestRecords {
    /// `WALWriter.open` right after a writer of the same folder closed. The test runner runs
    /// suites in parallel, and a child process some other test spawns at that moment holds a
    /// copy of every open descriptor until it execs (O_CLOEXEC closes them only then), so an
    /// OFD lock can outlive our close by a few milliseconds. A real manager folder has no such
    /// neighbour; only the tests wait for it.
    static func reopen(directory: URL, at start: WALStart, segmentSize: Int) throws -> WALWriter {
        for _ in 0..<100 {
            do {
                return try WALWriter.open(directory: directory, at: start, segmentSize: segmentSize)
            } catch WALWriteError.locked {
                usleep(10_000)
            }
        }
        return try WALWriter.open(directory: directory, at: start, segmentSize: segmentSize)
    }

    struct Located {
        let record: WALRecord
        /// Offset of the frame (length word) and of the end of the record's bytes.
        let frameStart: Int
        let recordEnd: Int
        let frameEnd: Int
    }

    /// Every record of one segment file, in order, with where it sits.
    static func records(of file: URL) throws -> (records: [Located], end: Int) {
        let mapped = try MappedFile(path: file.path)
        return try mapped.withBytes { bytes in
            var decoder = WALFrameDecoder(segments: [.init(name: file.lastPathComponent, bytes: bytes)])
            var out: [Located] = []
            while case .frame(let frame) = try decoder.next() {
                if frame.record.type == WALRecordType.crc.rawValue { decoder.seed(frame.record.crc) }
                out.append(Located(
                    record: frame.record, frameStart: frame.position.offset, recordEnd: frame.recordRange.upperBound,
                    frameEnd: frame.position.offset + frame.frameSize))
            }
            return (out, decoder.offset)
        }
    }

    static func walDirectory(_ folder: URL) -> URL {
        folder.appendingPathComponent("raft/wal-v3-encrypted")
    }

    static func onlySegment(_ directory: URL) throws -> URL {
        let names = try WALReader(directory: directory).segmentNames()
        guard names.count == 1, let name = names.first else {
            throw TestFailure("expected one segment in \(directory.path), found \(names)")
        }
        return directory.appendingPathComponent(name.fileName)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func mode(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.posixPermissions] as? Int) ?? -1
    }

    static func size(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.size] as? Int) ?? -1
    }

    static func hardState(term: UInt64, vote: UInt64, commit: UInt64) -> RaftHardState {
        var state = RaftHardState()
        state.term = term
        state.vote = vote
        state.commit = commit
        return state
    }

    static func entry(index: UInt64, term: UInt64, type: RaftEntryType = .entryNormal, data: Data) -> RaftEntry {
        var entry = RaftEntry()
        entry.index = index
        entry.term = term
        entry.type = type
        if !data.isEmpty { entry.data = data }
        return entry
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The property tests' generator lives in SwarmTestSupport; named here so every file of this
/// target reaches it without importing that module.
typealias SeededGenerator = SwarmTestSupport.SeededGenerator
