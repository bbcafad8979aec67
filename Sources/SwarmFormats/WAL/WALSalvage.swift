import Foundation

/// Why a salvage pass over a WAL stopped before its end.
public enum WALSalvageStop: Sendable, Equatable, CustomStringConvertible {
    /// The last segment ends in a partial record: what a crash mid-write leaves, and what etcd
    /// itself repairs by cutting the log there.
    case tornTail(WALPosition, reason: String)
    /// Anything else: corruption (or segments missing). Nothing from the error's position on
    /// can be trusted, because the CRC chain or the index sequence is broken there.
    case damaged(WALError)

    public var description: String {
        switch self {
        case .tornTail(let at, let reason): "\(at): torn last record (\(reason))"
        case .damaged(let error): error.description
        }
    }
}

/// The longest intact prefix of a WAL, read from a snapshot on, and where and why it ends.
public struct WALSalvage: Sendable {
    /// The prefix, exactly as `WALReader.readAll` would return a WAL that ended there
    /// (`end`/`crcAtEnd` are where the prefix stops).
    public let contents: WALContents
    /// Nil when every selected segment read cleanly to its end.
    public let stop: WALSalvageStop?
    /// The first byte that is not part of the prefix; nil when the read was clean.
    public let stopPosition: WALPosition?
    /// Segments after the one the prefix ends in (or after a gap in the sequence numbers):
    /// none of their records can be used.
    public let unreadSegments: [WALSegmentName]
    /// Whether some segment starts at or before the start index. Without one the read began
    /// at the first segment, and entries only connect if they continue at start + 1.
    public let reachesStart: Bool
    /// Whether the prefix holds the snapshot record of the start, which etcd requires.
    public let snapshotRecordFound: Bool
    /// The lowest first index of any segment in the directory.
    public let firstSegmentIndex: UInt64

    /// True when nothing at all was wrong: the reading etcd would accept unchanged.
    public var isClean: Bool { stop == nil && unreadSegments.isEmpty && snapshotRecordFound }
}

extension WALError {
    /// Where in a segment the error was found, for the cases tied to a record.
    public var position: WALPosition? {
        switch self {
        case .truncatedRecord(let at), .undecodableRecord(let at, _), .crcMismatch(let at, _, _),
            .unknownRecordType(let at, _), .metadataConflict(let at), .snapshotMismatch(let at, _, _, _),
            .entryGap(let at, _, _):
            at
        case .noSegments, .noSegmentForSnapshot, .sequenceGap, .snapshotNotFound:
            nil
        }
    }
}

extension RaftLog {
    /// A log assembled from parts a caller checked one by one (a repair's salvaged snapshot
    /// and WAL prefix) rather than loaded in one go, so it can be replayed and rewritten
    /// like any loaded log.
    public init(
        layout: RaftLayout, snapshot: LoadedSnapshot?, snapshotPayload: Data?, wal: WALContents,
        decrypter: any RaftPayloadDecrypter
    ) {
        self.init(
            layout: layout, snapshot: snapshot, snapshotPayload: snapshotPayload, skippedSnapshots: [], wal: wal,
            decrypter: decrypter)
    }
}
