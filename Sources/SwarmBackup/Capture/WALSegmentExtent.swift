import Foundation
import SwarmFormats

/// How much of a live WAL segment holds records. etcd preallocates every segment to 64 MB of
/// zeros and appends frames into it; the first zero length word marks where the data ends.
/// Only the length words are read here, to find where to stop copying: the records themselves
/// are checked (CRC chain, torn tail) on the copy, where nothing can change under the decoder.
enum WALSegmentExtent {
    /// The offset after the last frame whose length word is written, capped at the file size.
    /// A frame whose bytes are still being written is included; the decoder will call it torn.
    static func usedLength(of file: LiveFile) throws -> Int {
        let size = try file.size
        var offset = 0
        var word: UInt64 = 0
        while offset + 8 <= size {
            let n = try withUnsafeMutableBytes(of: &word) { try file.read(into: $0, at: offset) }
            guard n == 8 else { break }
            let value = UInt64(littleEndian: word)
            if value == 0 { break }
            let recordLength = Int(truncatingIfNeeded: value & 0x00FF_FFFF_FFFF_FFFF)
            let padding = (value & (1 << 63)) != 0 ? Int((value >> 56) & 0x7) : 0
            // A nonsense length is damage or a write in flight: copy up to the end and let the
            // decoder judge it.
            guard recordLength >= 0, recordLength <= size - offset - 8 - padding else { return size }
            offset += 8 + recordLength + padding
        }
        return min(offset, size)
    }
}
