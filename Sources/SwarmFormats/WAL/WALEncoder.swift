import Foundation
import SwarmProto

/// Frames WAL records as etcd's encoder does, continuing the CRC chain.
///
/// A frame is an 8-byte little-endian length word, the marshaled `walpb.Record`, and zero
/// padding to the next 8-byte boundary, so a length word never straddles a torn sector. When
/// padding is needed the top byte of the length word is `0x80 | pad`. Each record stores the
/// running CRC-32C over the `data` of every record since the chain's seed; a crc record
/// stores the running value itself and adds no data, which is how a new segment carries the
/// chain across.
public struct WALEncoder: Sendable {
    /// etcd 3.5's decoder refuses records larger than this, so a WAL holding one could not be
    /// read back by the swarmkit versions in the field.
    public static let maxRecordSize = 10 * 1024 * 1024
    static let lengthWordSize = 8

    public private(set) var crc: CRC32C

    /// Starts encoding with the chain at `previousCRC` (0 for a new WAL).
    public init(previousCRC: UInt32 = 0) {
        crc = CRC32C(seed: previousCRC)
    }

    /// Appends a crc record carrying the current running value.
    public mutating func appendCRCRecord(to out: inout [UInt8]) {
        let value = crc.value
        appendFrame(to: &out, recordSize: EtcdWire.recordSize(type: WALRecordType.crc.rawValue, crc: value, dataCount: nil)) {
            EtcdWire.appendRecord(type: WALRecordType.crc.rawValue, crc: value, data: nil, to: &$0)
        }
    }

    /// Appends a record of any other type whose data is `data`.
    public mutating func appendRecord(_ type: WALRecordType, data: Data, to out: inout [UInt8]) throws(WALWriteError) {
        try Self.check(type, dataCount: data.count)
        data.withUnsafeBytes { buffer in appendChecked(type, data: buffer, to: &out) }
    }

    public mutating func appendRecord(_ type: WALRecordType, data: UnsafeRawBufferPointer, to out: inout [UInt8]) throws(WALWriteError) {
        try Self.check(type, dataCount: data.count)
        appendChecked(type, data: data, to: &out)
    }

    /// Refuses a record before the chain moves, so a refused record leaves the encoder as it
    /// was. The size is taken with the widest CRC field.
    private static func check(_ type: WALRecordType, dataCount: Int) throws(WALWriteError) {
        precondition(type != .crc, "crc records carry no data; use appendCRCRecord")
        let size = EtcdWire.recordSize(type: type.rawValue, crc: .max, dataCount: dataCount)
        guard size < maxRecordSize else { throw .recordTooLarge(type: type, size: size, limit: maxRecordSize) }
    }

    private mutating func appendChecked(_ type: WALRecordType, data: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        crc.update(data)
        let value = crc.value
        appendFrame(to: &out, recordSize: EtcdWire.recordSize(type: type.rawValue, crc: value, dataCount: data.count)) {
            EtcdWire.appendRecord(type: type.rawValue, crc: value, data: data, to: &$0)
        }
    }

    /// The length word etcd writes for a record of `recordSize` bytes, and its padding.
    public static func lengthWord(recordSize: Int) -> (word: UInt64, padding: Int) {
        let padding = (8 - recordSize % 8) % 8
        var word = UInt64(recordSize)
        if padding != 0 { word |= UInt64(0x80 | padding) << 56 }
        return (word, padding)
    }

    private func appendFrame(to out: inout [UInt8], recordSize: Int, _ body: (inout [UInt8]) -> Void) {
        let (word, padding) = Self.lengthWord(recordSize: recordSize)
        withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) }
        let start = out.count
        body(&out)
        assert(out.count - start == recordSize, "record size mismatch")
        if padding > 0 { out.append(contentsOf: repeatElement(0, count: padding)) }
    }
}
