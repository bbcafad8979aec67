/// Why a recovery left the state directory as it was.
public enum RecoveryError: Error, Sendable, CustomStringConvertible {
    case noLocalMember(path: String)
    case undecodableConfChange(index: UInt64, reason: String)
    case resultInconsistent(path: String, reason: String)
    /// The store has no cluster object to record removed nodes' certificates in.
    case noClusterObject

    public var description: String {
        switch self {
        case .noLocalMember(let path):
            "\(path): the WAL has no metadata record naming this node's raft member; cannot tell which member survives"
        case .undecodableConfChange(let index, let reason):
            "entry \(index): conf change does not decode: \(reason)"
        case .resultInconsistent(let path, let reason):
            "\(path): the recovered copy does not read back as a one-manager cluster (\(reason)); nothing was changed"
        case .noClusterObject:
            "the store has no cluster object; lost managers cannot be removed (recover without --remove-lost-managers)"
        }
    }
}
