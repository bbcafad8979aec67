/// A WAL segment file name: `%016x-%016x.wal`, the segment's sequence number and the raft
/// index of the first entry it may hold.
public struct WALSegmentName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let sequence: UInt64
    public let firstIndex: UInt64

    public init(sequence: UInt64, firstIndex: UInt64) {
        self.sequence = sequence
        self.firstIndex = firstIndex
    }

    /// Parses a file name; nil for anything that is not a segment (`0.tmp`, locks, strays).
    public init?(fileName: String) {
        guard fileName.hasSuffix(".wal") else { return nil }
        let stem = fileName.dropLast(4)
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 16,
            let sequence = UInt64(parts[0], radix: 16), let index = UInt64(parts[1], radix: 16)
        else { return nil }
        self.init(sequence: sequence, firstIndex: index)
    }

    public var fileName: String { hex16(sequence) + "-" + hex16(firstIndex) + ".wal" }
    public var description: String { fileName }

    public static func < (a: Self, b: Self) -> Bool {
        (a.sequence, a.firstIndex) < (b.sequence, b.firstIndex)
    }
}

/// Zero-padded 16-digit lower-case hex, the way etcd names WAL and snapshot files.
func hex16(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}
