import SwarmFormats

/// Why `repair` left a state directory as it was.
public enum RepairError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state the WAL continues from is gone: the newest usable start (a snapshot, or the
    /// log's beginning) lies before where the WAL's records begin, so the entries between
    /// were compacted away (typically into a newer snapshot that is now damaged).
    case walDoesNotReachBack(walDirectory: String, start: String, continuesAt: UInt64, damagedSnapshots: [String])
    /// The WAL holds no metadata record before its damage, and a WAL cannot be written without
    /// this node's raft member.
    case noMetadata(walDirectory: String)
    /// Not one snapshot or entry payload decrypts: a key problem, not damage to repair.
    case nothingDecrypts(keyFile: String, firstFailure: String)
    /// The repaired copy did not read back as planned; the original was left in place.
    case resultInconsistent(path: String, reason: String)

    /// The data itself cannot be salvaged (exit 4), as opposed to a failure of the repair.
    public var isUnsalvageable: Bool {
        if case .resultInconsistent = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .walDoesNotReachBack(let dir, let start, let next, let damaged):
            let cause = damaged.isEmpty ? "" : " (newer snapshot damaged: \(damaged.joined(separator: ", ")))"
            return "\(dir): the WAL does not reach back to \(start): its records continue only at index \(next), "
                + "the entries before were compacted away\(cause); no consistent state can be salvaged, nothing was changed"
        case .noMetadata(let dir):
            return "\(dir): no intact WAL metadata record (this node's raft member) before the damage; cannot write a WAL, nothing was changed"
        case .nothingDecrypts(let keyFile, let failure):
            return "\(keyFile): no snapshot or entry decrypts with this node's data key (wrong key file?); first failure: \(failure); nothing was changed"
        case .resultInconsistent(let path, let reason):
            return "\(path): the repaired copy does not read back as planned (\(reason)); nothing was changed"
        }
    }
}
