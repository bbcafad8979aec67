/// Why a node's key material (`certificates/swarm-node.key`, or the unlock key given for it)
/// could not be used. `locked` and `wrongUnlockKey` are distinct on purpose; see
/// `isLockedOrWrongKey` for the exit-code grouping. Descriptions never contain key material.
public enum KeyMaterialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case missing(file: String)
    /// The file exists but cannot be read.
    case unreadable(file: String, reason: String)
    /// The swarm is autolocked and no unlock key was given.
    case locked(file: String)
    /// An unlock key was given but it does not decrypt the file.
    case wrongUnlockKey(file: String)
    /// The file is damaged or not a node key file.
    case malformed(file: String, reason: String)
    /// The file uses a format swarmkit does not write and we do not read.
    case unsupported(file: String, reason: String)
    /// The unlock key text from `source` (a flag, file or variable name) is not an unlock key.
    case invalidUnlockKey(source: String, problem: UnlockKeyError)

    public var description: String {
        switch self {
        case .missing(let file):
            "\(file): node key file not found"
        case .unreadable(let file, let reason):
            "\(file): cannot read node key file: \(reason)"
        case .locked(let file):
            "\(file): the swarm is autolocked; an unlock key (SWMKEY-1-…) is needed"
        case .wrongUnlockKey(let file):
            "\(file): the unlock key does not decrypt this node's key (wrong unlock key)"
        case .malformed(let file, let reason):
            "\(file): malformed node key file: \(reason)"
        case .unsupported(let file, let reason):
            "\(file): unsupported node key file: \(reason)"
        case .invalidUnlockKey(let source, let problem):
            "\(source): \(problem)"
        }
    }

    /// True when the node cannot be read for want of the right unlock key: none given for an
    /// autolocked node, a wrong one, or text that is not an unlock key at all.
    public var isLockedOrWrongKey: Bool {
        switch self {
        case .locked, .wrongUnlockKey, .invalidUnlockKey: true
        case .missing, .unreadable, .malformed, .unsupported: false
        }
    }

    /// The file (or, for `invalidUnlockKey`, the source) the error is about.
    public var file: String {
        switch self {
        case .missing(let file), .unreadable(let file, _), .locked(let file), .wrongUnlockKey(let file),
            .malformed(let file, _), .unsupported(let file, _):
            file
        case .invalidUnlockKey(let source, _):
            source
        }
    }
}
