import SwarmFormats
import SwarmStore

/// An index a log cannot be taken back (or forward) to. `first` is the oldest state the
/// folder still holds: its snapshot; anything older was compacted away.
public struct LogIndexOutOfRange: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let requested: UInt64
    public let first: UInt64
    public let last: UInt64

    public var description: String {
        let why = requested < first ? "older than the oldest state this log holds" : "after its last entry"
        return "\(path): index \(requested) is \(why); choose an index from \(first) to \(last)"
    }
}

extension RaftLog {
    /// The indexes whose state this log can rebuild: the snapshot's (or the first entry's,
    /// without a snapshot) up to the last entry.
    public var restorableIndexes: ClosedRange<UInt64> {
        let first = snapshot != nil ? snapshotIndex : min(1, lastIndex)
        return first...lastIndex
    }

    /// Throws `LogIndexOutOfRange` (naming `path`) unless the state at `index` can be rebuilt.
    public func checkRestorable(_ index: UInt64, path: String) throws {
        let range = restorableIndexes
        guard range.contains(index) else {
            throw LogIndexOutOfRange(path: path, requested: index, first: range.lowerBound, last: range.upperBound)
        }
    }
}

extension LoadedNode {
    /// The store and membership as they were right after entry `index`; `source` names the
    /// folder or archive in an error (default: this folder).
    public func state(at index: UInt64, source: String? = nil) throws -> ClusterState {
        guard let raft else { throw StateDirectoryError.worker(path: directory.path) }
        try raft.checkRestorable(index, path: source ?? directory.path)
        return try Replayer.replay(raft, localMember: localMember, upTo: index)
    }
}
