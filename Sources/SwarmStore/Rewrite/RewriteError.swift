/// Why a state directory could not be rewritten. Each names the path concerned.
public enum RewriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The target is the source itself or lies inside it.
    case targetInsideSource(path: String)
    /// The WAL has no metadata record (this node's raft member) to start the new WAL with.
    case noMetadata(path: String)
    /// A new snapshot needs the replayed store.
    case noClusterState(path: String)
    /// Encrypted output needs the node's raft DEK, and its key file holds none.
    case noEncryptionKey(path: String)

    public var description: String {
        switch self {
        case .targetInsideSource(let path): "\(path): the output must not be inside the state directory it is made from"
        case .noMetadata(let path): "\(path): the WAL has no metadata record (this node's raft member)"
        case .noClusterState(let path): "\(path): a new snapshot needs the replayed store, which was not loaded"
        case .noEncryptionKey(let path): "\(path): no raft DEK (raft-dek header) to encrypt the raft data with"
        }
    }
}
