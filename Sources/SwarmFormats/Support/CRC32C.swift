/// CRC-32C (Castagnoli), the checksum etcd uses for WAL records and snapshot files.
///
/// etcd chains it: each WAL record stores the running value over the `data` of every record
/// since the segment's seed, so the type is a small accumulator rather than a one-shot function.
/// Slicing-by-8 because the WAL of a large swarm is tens of megabytes and this sits on the
/// read path of every command.
public struct CRC32C: Sendable, Equatable {
    public private(set) var value: UInt32

    /// Starts a chain from a previous running value (0 for a fresh chain).
    public init(seed: UInt32 = 0) {
        value = seed
    }

    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        var crc = ~value
        // Unchecked reads of the tables and 8-byte loads: the bounds checks of the plain
        // version were most of its time, and this runs over every WAL byte at every boot.
        CRC32CTables.shared.slices.withUnsafeBufferPointer { t in
            var i = 0
            let n = buffer.count
            while n - i >= 8 {
                let word = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let x = crc ^ UInt32(truncatingIfNeeded: word)
                let hi = UInt32(truncatingIfNeeded: word >> 32)
                crc = t[7 * 256 + Int(x & 0xff)] ^ t[6 * 256 + Int((x >> 8) & 0xff)]
                    ^ t[5 * 256 + Int((x >> 16) & 0xff)] ^ t[4 * 256 + Int(x >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xff)] ^ t[2 * 256 + Int((hi >> 8) & 0xff)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xff)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                crc = t[Int((crc ^ UInt32(buffer[i])) & 0xff)] ^ (crc >> 8)
                i += 1
            }
        }
        value = ~crc
    }
}

/// The eight 256-entry tables of slicing-by-8, computed once and never mutated.
private struct CRC32CTables: Sendable {
    static let shared = CRC32CTables()
    let slices: [UInt32]

    private init() {
        let polynomial: UInt32 = 0x82F6_3B78  // Castagnoli, reflected
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1 }
            table[i] = c
        }
        for slice in 1..<8 {
            for i in 0..<256 {
                let previous = table[(slice - 1) * 256 + i]
                table[slice * 256 + i] = (previous >> 8) ^ table[Int(previous & 0xff)]
            }
        }
        slices = table
    }
}
