import Foundation
import SwarmProto

/// One decoded WAL record and where it came from.
public struct WALFrame: Sendable {
    public let record: WALRecord
    public let position: WALPosition
    /// Index of the segment in the decoder's list, and where the record's bytes (after the
    /// length word, without padding) sit in it.
    public let segmentIndex: Int
    public let recordRange: Range<Int>
    /// Bytes the frame occupies on disk: length word, record, padding.
    public let frameSize: Int
}

/// One step of the decoder: a record, or the reason the log ends there.
public enum WALStep: Sendable {
    case frame(WALFrame)
    case end(WALFrameEnd)
}

/// What ended a pass over the frames.
public enum WALFrameEnd: Sendable, Equatable {
    /// A zero length word or the end of the last segment: the log ends cleanly.
    case clean
    /// The last segment ends in a partial record, which is what a crash mid-write leaves.
    /// Everything before `position` is intact; etcd discards the rest (and zeroes it).
    case tornTail(WALPosition, reason: String)
}

/// Splits the concatenated segments of a WAL into records: length words, padding, the CRC
/// chain and etcd's rule for telling a torn write from corruption.
///
/// etcd decides "torn" only in the last segment: a record that fails to decode or to match its
/// CRC there is torn when any 512-byte disk sector of its bytes is entirely zero (the sector
/// never reached the disk). The same damage in an earlier segment is corruption.
public struct WALFrameDecoder {
    static let sectorSize = 512
    static let lengthWordSize = 8

    public struct Segment {
        public let name: String
        public let bytes: UnsafeRawBufferPointer
        public init(name: String, bytes: UnsafeRawBufferPointer) {
            self.name = name
            self.bytes = bytes
        }
    }

    private let segments: [Segment]
    public private(set) var segmentIndex = 0
    /// Offset of the next frame in the current segment.
    public private(set) var offset = 0
    /// Running CRC over record data since the last crc record.
    public private(set) var crc = CRC32C()

    public init(segments: [Segment]) {
        self.segments = segments
    }

    /// Offset at which the next record would start in the current segment: where a writer
    /// continues, or where a repair truncates.
    public var position: WALPosition {
        WALPosition(segment: segments.indices.contains(segmentIndex) ? segments[segmentIndex].name : "", offset: offset)
    }

    /// Re-seeds the CRC chain, as a crc record at the head of a segment does.
    public mutating func seed(_ value: UInt32) { crc = CRC32C(seed: value) }

    /// Next record, or nil with the reason the log ends. Throws on corruption.
    public mutating func next() throws(WALError) -> WALStep {
        while segmentIndex < segments.count {
            let segment = segments[segmentIndex]
            let bytes = segment.bytes
            let isLast = segmentIndex == segments.count - 1
            let here = WALPosition(segment: segment.name, offset: offset)
            let remaining = bytes.count - offset
            guard remaining >= Self.lengthWordSize else {
                if remaining == 0 {
                    if isLast { return .end(.clean) }
                    advanceSegment()
                    continue
                }
                if isLast { return .end(.tornTail(here, reason: "partial length word")) }
                throw .truncatedRecord(here)
            }
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
            if word == 0 {
                // End of data in this segment (the preallocated zeros start here).
                if isLast { return .end(.clean) }
                advanceSegment()
                continue
            }
            let recordLength = Int(truncatingIfNeeded: word & 0x00FF_FFFF_FFFF_FFFF)
            let padding = (word & (1 << 63)) != 0 ? Int((word >> 56) & 0x7) : 0
            let start = offset + Self.lengthWordSize
            guard recordLength <= bytes.count - start - padding, recordLength >= 0 else {
                if isLast { return .end(.tornTail(here, reason: "record of \(recordLength) bytes runs past the end of the file")) }
                throw .truncatedRecord(here)
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + recordLength)])
            let frameSize = Self.lengthWordSize + recordLength + padding
            let record: WALRecord
            do {
                record = try WALRecord(serializedBytes: Data(body))
            } catch {
                if isLast && Self.hasZeroSector(bytes, from: start, count: recordLength + padding) {
                    return .end(.tornTail(here, reason: "record does not decode and holds an unwritten sector"))
                }
                throw .undecodableRecord(here, reason: "\(error)")
            }
            if record.type != WALRecordType.crc.rawValue {
                // Advanced on a copy: a torn record must not leave its data in the chain a
                // writer continues from `crc`.
                var running = crc
                running.update(record.data)
                if record.crc != running.value {
                    if isLast && Self.hasZeroSector(bytes, from: start, count: recordLength + padding) {
                        return .end(.tornTail(here, reason: "CRC mismatch in a record with an unwritten sector"))
                    }
                    throw .crcMismatch(here, stored: record.crc, computed: running.value)
                }
                crc = running
            }
            offset += frameSize
            return .frame(
                WALFrame(
                    record: record, position: here, segmentIndex: segmentIndex,
                    recordRange: start..<(start + recordLength), frameSize: frameSize))
        }
        return .end(.clean)
    }

    private mutating func advanceSegment() {
        segmentIndex += 1
        offset = 0
    }

    /// etcd's torn-write test: split the record's bytes on the file's 512-byte sector
    /// boundaries; any all-zero piece means that sector was never written.
    static func hasZeroSector(_ bytes: UnsafeRawBufferPointer, from start: Int, count: Int) -> Bool {
        var position = start
        let end = start + count
        while position < end {
            let sectorEnd = min(end, (position / sectorSize + 1) * sectorSize)
            var allZero = true
            for i in position..<sectorEnd where bytes[i] != 0 {
                allZero = false
                break
            }
            if allZero { return true }
            position = sectorEnd
        }
        return false
    }
}
