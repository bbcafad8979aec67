/// Why a WAL could not be read. Every case names the file (and offset) so an operator can
/// find the damage; `repair` and `recover` key off the case, not the text.
public enum WALError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSegments(directory: String)
    case noSegmentForSnapshot(directory: String, snapshotIndex: UInt64)
    case sequenceGap(directory: String, after: String, next: String)
    case truncatedRecord(WALPosition)
    case undecodableRecord(WALPosition, reason: String)
    case crcMismatch(WALPosition, stored: UInt32, computed: UInt32)
    case unknownRecordType(WALPosition, type: Int64)
    case metadataConflict(WALPosition)
    case snapshotMismatch(WALPosition, index: UInt64, walTerm: UInt64, snapshotTerm: UInt64)
    case snapshotNotFound(directory: String, index: UInt64, term: UInt64)
    case entryGap(WALPosition, index: UInt64, expectedAtMost: UInt64)

    public var description: String {
        switch self {
        case .noSegments(let dir):
            "\(dir): no WAL segments (*.wal) found"
        case .noSegmentForSnapshot(let dir, let index):
            "\(dir): no WAL segment starts at or before snapshot index \(index)"
        case .sequenceGap(let dir, let after, let next):
            "\(dir): WAL segments are not consecutive: \(next) follows \(after)"
        case .truncatedRecord(let at):
            "\(at): WAL record is cut short (unexpected end of data)"
        case .undecodableRecord(let at, let reason):
            "\(at): WAL record cannot be decoded: \(reason)"
        case .crcMismatch(let at, let stored, let computed):
            "\(at): WAL record CRC mismatch (stored \(hex8(stored)), computed \(hex8(computed)))"
        case .unknownRecordType(let at, let type):
            "\(at): unknown WAL record type \(type)"
        case .metadataConflict(let at):
            "\(at): WAL metadata record differs from the first one (mixed WALs?)"
        case .snapshotMismatch(let at, let index, let walTerm, let snapshotTerm):
            "\(at): WAL snapshot record for index \(index) has term \(walTerm), the snapshot file has term \(snapshotTerm)"
        case .snapshotNotFound(let dir, let index, let term):
            "\(dir): the WAL holds no snapshot record for the snapshot at index \(index), term \(term)"
        case .entryGap(let at, let index, let expected):
            "\(at): WAL entry index \(index) leaves a gap (next expected at most \(expected))"
        }
    }
}

func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
