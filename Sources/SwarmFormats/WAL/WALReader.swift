import Foundation
import SwarmProto

/// The position a WAL is opened at: the snapshot it continues from ({0, 0} without one).
public struct WALStart: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public init(index: UInt64 = 0, term: UInt64 = 0) {
        self.index = index
        self.term = term
    }
}

/// Where one raft entry is stored. The entry itself (with its possibly large payload) is
/// decoded on demand from the mapped segment, so reading a big log never holds every
/// payload in memory at once.
public struct WALEntry: Sendable {
    public let index: UInt64
    public let term: UInt64
    public let type: RaftEntryType
    public let position: WALPosition
    let segmentIndex: Int
    let recordRange: Range<Int>
}

/// Everything etcd's `ReadAll` yields, plus where each entry is stored.
public struct WALContents: Sendable {
    /// The segments that were read, oldest first.
    public let segments: [WALSegmentName]
    /// Metadata record bytes (swarmkit: this node's marshaled RaftMember).
    public let metadata: Data?
    public let hardState: RaftHardState
    /// Entries after the start index, with later rewrites of the uncommitted tail applied.
    public let entries: [WALEntry]
    /// Set when the last segment ends in a partial record (a crash mid-write).
    public let tornTail: WALFrameEnd?
    /// Where the next record would be appended.
    public let end: WALPosition
    /// Running CRC at `end`, the seed a writer continues the chain with.
    public let crcAtEnd: UInt32
    /// Every snapshot record seen (index, term).
    public let snapshotRecords: [WALStart]
    let files: [MappedFile]

    public var lastIndex: UInt64? { entries.last?.index }

    /// The exact bytes of the WAL record holding `entry`, for writing it back unchanged.
    public func recordBytes(_ entry: WALEntry) -> Data {
        files[entry.segmentIndex].withBytes { Data($0[entry.recordRange]) }
    }

    /// The raft entry stored at `entry`. Its CRC was checked when the WAL was read.
    public func raftEntry(_ entry: WALEntry) throws -> RaftEntry {
        do {
            let record = try WALRecord(serializedBytes: recordBytes(entry))
            return try RaftEntry(serializedBytes: record.data)
        } catch {
            throw WALError.undecodableRecord(entry.position, reason: "entry: \(error)")
        }
    }

    /// Calls `body` with each entry in order, releasing segment pages already visited so
    /// memory stays flat however long the log is.
    /// Entries outside `indexes` are skipped without being decoded.
    public func forEachEntry(
        in indexes: ClosedRange<UInt64> = 0...UInt64.max, _ body: (WALEntry, RaftEntry) throws -> Void
    ) throws {
        var visited = 0
        var segment = entries.first?.segmentIndex ?? 0
        for entry in entries where indexes.contains(entry.index) {
            try body(entry, raftEntry(entry))
            if entry.segmentIndex > segment {
                for done in segment..<entry.segmentIndex { files[done].releasePages(before: Int.max) }
                segment = entry.segmentIndex
                visited = 0
            }
            visited += entry.recordRange.count
            if visited >= WALReader.releaseStride {
                files[entry.segmentIndex].releasePages(before: entry.recordRange.lowerBound)
                visited = 0
            }
        }
    }
}

/// Reads an etcd WAL directory the way etcd's `ReadAll` does, without ever modifying it.
public struct WALReader: Sendable {
    public let directory: URL
    /// How many bytes a pass reads before it lets the pages behind it go.
    static let releaseStride = 4 << 20

    public init(directory: URL) {
        self.directory = directory
    }

    /// All segment names in the directory, sorted; `*.tmp` and stray files are ignored.
    public func segmentNames() throws -> [WALSegmentName] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw FileAccessError(path: directory.path, operation: "list", errno: ENOENT)
        }
        return names.compactMap(WALSegmentName.init(fileName:)).sorted()
    }

    /// The segments that must be read to continue from `start`: the last one whose first index
    /// is at or before the snapshot, and every later one, with consecutive sequence numbers.
    public func selectSegments(from start: WALStart) throws -> [WALSegmentName] {
        let all = try segmentNames()
        guard !all.isEmpty else { throw WALError.noSegments(directory: directory.path) }
        guard let first = all.lastIndex(where: { $0.firstIndex <= start.index }) else {
            throw WALError.noSegmentForSnapshot(directory: directory.path, snapshotIndex: start.index)
        }
        let chosen = Array(all[first...])
        for (a, b) in zip(chosen, chosen.dropFirst()) where b.sequence != a.sequence &+ 1 {
            throw WALError.sequenceGap(directory: directory.path, after: a.fileName, next: b.fileName)
        }
        return chosen
    }

    public func readAll(from start: WALStart = WALStart()) throws -> WALContents {
        let names = try selectSegments(from: start)
        let files = try names.map { try MappedFile(path: directory.appendingPathComponent($0.fileName).path) }
        return try Self.withSegments(files, names: names) { segments in
            try Self.decode(segments: segments, files: files, names: names, start: start, directory: directory.path)
        }
    }

    /// Maps every segment at once (nested `withBytes`), so a decoder can run across them.
    static func withSegments<R>(
        _ files: [MappedFile], names: [WALSegmentName], _ body: ([WALFrameDecoder.Segment]) throws -> R
    ) rethrows -> R {
        var segments: [WALFrameDecoder.Segment] = []
        func open(_ i: Int) throws -> R {
            if i == files.count { return try body(segments) }
            return try files[i].withBytes { bytes in
                segments.append(.init(name: names[i].fileName, bytes: bytes))
                return try open(i + 1)
            }
        }
        return try open(0)
    }

    static func decode(
        segments: [WALFrameDecoder.Segment], files: [MappedFile], names: [WALSegmentName], start: WALStart,
        directory: String
    ) throws -> WALContents {
        var decoder = WALFrameDecoder(segments: segments)
        var metadata: Data?
        var hardState = RaftHardState()
        var entries: [WALEntry] = []
        var snapshots: [WALStart] = []
        var matched = false
        var ending: WALFrameEnd?
        var released = 0
        var releasedSegment = 0
        loop: while true {
            let frame: WALFrame
            switch try decoder.next() {
            case .frame(let f): frame = f
            case .end(let end):
                ending = end
                break loop
            }
            // Offsets restart in every segment: a segment read through lets all its pages go.
            if frame.segmentIndex != releasedSegment, frame.segmentIndex < files.count {
                for done in releasedSegment..<frame.segmentIndex { files[done].releasePages(before: Int.max) }
                releasedSegment = frame.segmentIndex
                released = 0
            }
            if frame.recordRange.lowerBound - released >= releaseStride, frame.segmentIndex < files.count {
                files[frame.segmentIndex].releasePages(before: frame.recordRange.lowerBound)
                released = frame.recordRange.lowerBound
            }
            let record = frame.record
            guard let type = WALRecordType(rawValue: record.type) else {
                throw WALError.unknownRecordType(frame.position, type: record.type)
            }
            switch type {
            case .entry:
                let entry: RaftEntry
                do {
                    entry = try RaftEntry(serializedBytes: record.data)
                } catch {
                    throw WALError.undecodableRecord(frame.position, reason: "entry: \(error)")
                }
                if entry.index > start.index {
                    // A rewritten index replaces the uncommitted tail from that point on.
                    let slot = entry.index - start.index - 1
                    guard slot <= UInt64(entries.count) else {
                        throw WALError.entryGap(
                            frame.position, index: entry.index,
                            expectedAtMost: start.index + UInt64(entries.count) + 1)
                    }
                    entries.removeSubrange(Int(slot)...)
                    entries.append(
                        WALEntry(
                            index: entry.index, term: entry.term, type: entry.type, position: frame.position,
                            segmentIndex: frame.segmentIndex, recordRange: frame.recordRange))
                }
            case .state:
                do {
                    hardState = try RaftHardState(serializedBytes: record.data)
                } catch {
                    throw WALError.undecodableRecord(frame.position, reason: "hard state: \(error)")
                }
            case .metadata:
                if let metadata, metadata != record.data { throw WALError.metadataConflict(frame.position) }
                metadata = record.data
            case .crc:
                let running = decoder.crc.value
                if running != 0 && running != record.crc {
                    throw WALError.crcMismatch(frame.position, stored: record.crc, computed: running)
                }
                decoder.seed(record.crc)
            case .snapshot:
                let snap: WALSnapshot
                do {
                    snap = try WALSnapshot(serializedBytes: record.data)
                } catch {
                    throw WALError.undecodableRecord(frame.position, reason: "snapshot: \(error)")
                }
                snapshots.append(WALStart(index: snap.index, term: snap.term))
                if snap.index == start.index {
                    if snap.term != start.term {
                        throw WALError.snapshotMismatch(
                            frame.position, index: snap.index, walTerm: snap.term, snapshotTerm: start.term)
                    }
                    matched = true
                }
            }
        }
        guard matched else {
            throw WALError.snapshotNotFound(directory: directory, index: start.index, term: start.term)
        }
        let torn: WALFrameEnd? = if case .tornTail = ending { ending } else { nil }
        return WALContents(
            segments: names, metadata: metadata, hardState: hardState, entries: entries,
            tornTail: torn, end: decoder.position, crcAtEnd: decoder.crc.value, snapshotRecords: snapshots,
            files: files)
    }
}
