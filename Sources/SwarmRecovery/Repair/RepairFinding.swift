/// One thing `repair` found wrong, tied to the file (and byte, and raft index) where it is.
public struct RepairFinding: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A snapshot file that fails its CRC, does not decode, or whose payload does not
        /// decrypt or decode.
        case snapshotDamaged = "snapshot_damaged"
        /// The last record of the last segment is partial (a crash mid-write).
        case walTornTail = "wal_torn_tail"
        /// A record whose CRC, framing or content is wrong, or a gap in the segments or indexes.
        case walCorrupt = "wal_corrupt"
        /// A segment after the damage: its records cannot be chained to the log before it.
        case walSegmentUnreachable = "wal_segment_unreachable"
        /// The WAL lacks the snapshot record of the snapshot it continues from.
        case walSnapshotRecordMissing = "wal_snapshot_record_missing"
        /// An entry whose payload does not decrypt or decode.
        case entryUnusable = "entry_unusable"
        /// The hard state breaks raft's rules for the log it goes with.
        case hardStateInconsistent = "hard_state_inconsistent"
    }

    /// What the repaired folder does about it. The original file stays, unchanged, in the
    /// rollback copy of the folder whatever the action.
    public enum Action: String, Sendable {
        /// Left out of the repaired folder.
        case setAside = "set_aside"
        /// The log is cut before this point: nothing from here on is kept.
        case cut = "cut"
        /// Written anew in the repaired folder.
        case rewritten = "rewritten"
    }

    public let kind: Kind
    /// Relative to the state directory, e.g. `raft/wal-v3-encrypted/…wal`.
    public let file: String
    public let offset: Int?
    /// The raft index concerned: the first index not kept for a cut, the entry for an entry.
    public let index: UInt64?
    public let reason: String
    public let action: Action

    public var description: String {
        var place = file
        if let offset { place += " at byte \(offset)" }
        if let index {
            switch kind {
            case .entryUnusable: place += " (entry \(index))"
            case .walSegmentUnreachable: place += " (entries from \(index))"
            default: place += " (log cut before index \(index))"
            }
        }
        return "\(place): \(reason)"
    }
}
