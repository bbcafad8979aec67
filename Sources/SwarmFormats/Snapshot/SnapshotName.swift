/// A snapshot file name: `%016x-%016x.snap`, the raft term and index it was taken at.
public struct SnapshotName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let term: UInt64
    public let index: UInt64

    public init(term: UInt64, index: UInt64) {
        self.term = term
        self.index = index
    }

    public init?(fileName: String) {
        guard fileName.hasSuffix(".snap") else { return nil }
        let parts = fileName.dropLast(5).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 16,
            let term = UInt64(parts[0], radix: 16), let index = UInt64(parts[1], radix: 16)
        else { return nil }
        self.init(term: term, index: index)
    }

    public var fileName: String { hex16(term) + "-" + hex16(index) + ".snap" }
    public var description: String { fileName }

    /// etcd orders snapshots by file name, which sorts by term then index.
    public static func < (a: Self, b: Self) -> Bool { a.fileName < b.fileName }
}
