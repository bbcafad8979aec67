/// Why a rewind left the state directory as it was.
public enum RewindError: Error, Sendable, CustomStringConvertible {
    /// The rewritten copy does not read back as the planned state.
    case resultInconsistent(path: String, reason: String)

    public var description: String {
        switch self {
        case .resultInconsistent(let path, let reason):
            "\(path): the rewound copy does not read back as planned (\(reason)); nothing was changed"
        }
    }
}
