import Foundation
import SwarmProto

/// Reads a WAL the way `WALReader` does, but where `WALReader` throws at the first damaged
/// record this keeps everything before it and says where it stopped: the raw material of a
/// repair. Never modifies the directory.
///
/// Differences from `readAll`, all so that a damaged log still yields its intact prefix:
/// - no segment at or before the start index is not an error; the read begins at the first
///   segment and `reachesStart` is false;
/// - a gap in the segment sequence ends the read at the end of the segment before it;
/// - a missing snapshot record for the start is reported, not thrown;
/// - `stoppingAt` ends the read before the record at that position, so a caller that finds an
///   entry it cannot use gets the log exactly as if it had ended there.
public struct WALSalvageReader: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func read(from start: WALStart = WALStart(), stoppingAt limit: WALPosition? = nil) throws -> WALSalvage {
        let all = try WALReader(directory: directory).segmentNames()
        guard let earliest = all.first else { throw WALError.noSegments(directory: directory.path) }
        let startSlot = all.lastIndex { $0.firstIndex <= start.index }
        var chosen: [WALSegmentName] = []
        var beyondGap: [WALSegmentName] = []
        var gap: WALError?
        for name in all[(startSlot ?? 0)...] {
            if let previous = chosen.last, gap != nil || name.sequence != previous.sequence &+ 1 {
                if gap == nil {
                    gap = .sequenceGap(directory: directory.path, after: previous.fileName, next: name.fileName)
                }
                beyondGap.append(name)
                continue
            }
            chosen.append(name)
        }
        let files = try chosen.map { try MappedFile(path: directory.appendingPathComponent($0.fileName).path) }
        var pass = SalvagePass(start: start, names: chosen, files: files, limit: limit)
        WALReader.withSegments(files, names: chosen) { segments in pass.run(segments) }

        var stop = pass.stop
        var stopPosition = pass.stopPosition
        if stop == nil, pass.stopPosition == nil, let gap {
            // The segments before the gap read cleanly to their end; the prefix ends there.
            stop = .damaged(gap)
            stopPosition = pass.end
        }
        let stopSegment = stopPosition.flatMap { position in chosen.firstIndex { $0.fileName == position.segment } }
        let unread = stopSegment.map { Array(chosen[($0 + 1)...]) } ?? []
        let contents = WALContents(
            segments: chosen, metadata: pass.metadata, hardState: pass.hardState, entries: pass.entries,
            tornTail: nil, end: pass.end, crcAtEnd: pass.crcAtEnd, snapshotRecords: pass.snapshots, files: files)
        return WALSalvage(
            contents: contents, stop: stop, stopPosition: stopPosition, unreadSegments: unread + beyondGap,
            reachesStart: startSlot != nil, snapshotRecordFound: pass.matched, firstSegmentIndex: earliest.firstIndex)
    }
}

/// One pass of the salvage reader: `WALReader.decode`'s rules, stopping instead of throwing.
private struct SalvagePass {
    let start: WALStart
    let names: [WALSegmentName]
    let files: [MappedFile]
    let limit: WALPosition?

    var metadata: Data?
    var hardState = RaftHardState()
    var entries: [WALEntry] = []
    var snapshots: [WALStart] = []
    var matched = false
    var stop: WALSalvageStop?
    var stopPosition: WALPosition?
    var end = WALPosition(segment: "", offset: 0)
    var crcAtEnd: UInt32 = 0

    init(start: WALStart, names: [WALSegmentName], files: [MappedFile], limit: WALPosition?) {
        self.start = start
        self.names = names
        self.files = files
        self.limit = limit
    }

    mutating func run(_ segments: [WALFrameDecoder.Segment]) {
        var decoder = WALFrameDecoder(segments: segments)
        // The chain value before each record: a record refused after decoding must leave the
        // prefix's CRC as it was before it.
        var chainBefore = decoder.crc.value
        var released = 0
        while true {
            let step: WALStep
            do {
                step = try decoder.next()
            } catch {
                finish(.damaged(error), at: error.position ?? decoder.position, crc: decoder.crc.value)
                return
            }
            let frame: WALFrame
            switch step {
            case .frame(let f): frame = f
            case .end(.clean):
                end = decoder.position
                crcAtEnd = decoder.crc.value
                return
            case .end(.tornTail(let at, let reason)):
                finish(.tornTail(at, reason: reason), at: at, crc: decoder.crc.value)
                return
            }
            if reachedLimit(frame) {
                finish(nil, at: frame.position, crc: chainBefore)
                return
            }
            if let problem = take(frame, decoder: &decoder) {
                finish(.damaged(problem), at: frame.position, crc: chainBefore)
                return
            }
            chainBefore = decoder.crc.value
            // A segment read through lets its pages go; entries are mapped again when visited.
            while released < frame.segmentIndex {
                files[released].releasePages(before: Int.max)
                released += 1
            }
        }
    }

    private mutating func finish(_ reason: WALSalvageStop?, at position: WALPosition, crc: UInt32) {
        stop = reason
        stopPosition = position
        end = position
        crcAtEnd = crc
    }

    private func reachedLimit(_ frame: WALFrame) -> Bool {
        guard let limit, let limitSegment = names.firstIndex(where: { $0.fileName == limit.segment }) else { return false }
        return frame.segmentIndex > limitSegment || (frame.segmentIndex == limitSegment && frame.position.offset >= limit.offset)
    }

    /// Applies one record; returns why it cannot be used, if it cannot.
    private mutating func take(_ frame: WALFrame, decoder: inout WALFrameDecoder) -> WALError? {
        let record = frame.record
        guard let type = WALRecordType(rawValue: record.type) else {
            return .unknownRecordType(frame.position, type: record.type)
        }
        switch type {
        case .entry:
            guard let entry = try? RaftEntry(serializedBytes: record.data) else {
                return .undecodableRecord(frame.position, reason: "entry does not decode")
            }
            guard entry.index > start.index else { return nil }
            // A rewritten index replaces the uncommitted tail from that point on.
            let slot = entry.index - start.index - 1
            guard slot <= UInt64(entries.count) else {
                return .entryGap(frame.position, index: entry.index, expectedAtMost: start.index + UInt64(entries.count) + 1)
            }
            entries.removeSubrange(Int(slot)...)
            entries.append(
                WALEntry(
                    index: entry.index, term: entry.term, type: entry.type, position: frame.position,
                    segmentIndex: frame.segmentIndex, recordRange: frame.recordRange))
        case .state:
            guard let state = try? RaftHardState(serializedBytes: record.data) else {
                return .undecodableRecord(frame.position, reason: "hard state does not decode")
            }
            hardState = state
        case .metadata:
            if let metadata, metadata != record.data { return .metadataConflict(frame.position) }
            metadata = record.data
        case .crc:
            let running = decoder.crc.value
            if running != 0 && running != record.crc {
                return .crcMismatch(frame.position, stored: record.crc, computed: running)
            }
            decoder.seed(record.crc)
        case .snapshot:
            guard let snap = try? WALSnapshot(serializedBytes: record.data) else {
                return .undecodableRecord(frame.position, reason: "snapshot record does not decode")
            }
            if snap.index == start.index {
                guard snap.term == start.term else {
                    return .snapshotMismatch(frame.position, index: snap.index, walTerm: snap.term, snapshotTerm: start.term)
                }
                matched = true
            }
            snapshots.append(WALStart(index: snap.index, term: snap.term))
        }
        return nil
    }
}
