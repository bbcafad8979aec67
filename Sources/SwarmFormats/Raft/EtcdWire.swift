import Foundation
import SwarmProto

/// Marshals etcd's proto2 messages byte for byte as etcd (gogo-protobuf) does.
///
/// gogo writes every non-nullable scalar even when it is zero and orders fields by number;
/// a nullable field (a pointer or a byte slice) is written whenever it is non-nil, even when
/// empty. Presence is therefore a property of the *message kind*, not of the values, and is
/// encoded here explicitly instead of trusting whatever `has…` flags a decoded value carries.
/// Checked against the fixtures: crc/metadata/snapshot/entry/state records and snapshot files
/// re-encode to the exact bytes swarmkit wrote.
public enum EtcdWire {
    // MARK: walpb

    /// `walpb.Record {type 1, crc 2, data 3}`: type and crc always; data whenever the record
    /// has any (etcd's crc record has none).
    static func appendRecord(type: Int64, crc: UInt32, data: UnsafeRawBufferPointer?, to out: inout [UInt8]) {
        appendVarintField(1, UInt64(bitPattern: type), to: &out)
        appendVarintField(2, UInt64(crc), to: &out)
        if let data { appendBytesField(3, data, to: &out) }
    }

    static func recordSize(type: Int64, crc: UInt32, dataCount: Int?) -> Int {
        var size = 1 + varintSize(UInt64(bitPattern: type)) + 1 + varintSize(UInt64(crc))
        if let dataCount { size += 1 + varintSize(UInt64(dataCount)) + dataCount }
        return size
    }

    /// `walpb.Snapshot {index 1, term 2, conf_state 3}`: index and term always, the conf state
    /// when there is one (etcd ≥ 3.5 requires it for every snapshot after index 0).
    public static func marshal(_ snapshot: WALSnapshot) -> Data {
        var out: [UInt8] = []
        appendVarintField(1, snapshot.index, to: &out)
        appendVarintField(2, snapshot.term, to: &out)
        if snapshot.hasConfState { appendMessageField(3, marshal(snapshot.confState), to: &out) }
        return Data(out)
    }

    // MARK: raftpb

    /// `raftpb.Entry {type 1, term 2, index 3, data 4}`: the three numbers always, data when
    /// the entry carries any. (raft's empty no-op entries have nil data; swarmkit encrypts
    /// every payload, so in an encrypted log even those carry a record.)
    public static func marshal(_ entry: RaftEntry) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(entry.data.count + 32)
        appendVarintField(1, UInt64(bitPattern: Int64(entry.type.rawValue)), to: &out)
        appendVarintField(2, entry.term, to: &out)
        appendVarintField(3, entry.index, to: &out)
        if entry.hasData || !entry.data.isEmpty {
            entry.data.withUnsafeBytes { appendBytesField(4, $0, to: &out) }
        }
        return Data(out)
    }

    /// `raftpb.HardState {term 1, vote 2, commit 3}`: all three, always.
    public static func marshal(_ state: RaftHardState) -> Data {
        var out: [UInt8] = []
        appendVarintField(1, state.term, to: &out)
        appendVarintField(2, state.vote, to: &out)
        appendVarintField(3, state.commit, to: &out)
        return Data(out)
    }

    /// `raftpb.ConfChange {id 1, type 2, node_id 3, context 4}`: the three numbers always,
    /// context only when there is one (gogo leaves a nil byte slice out).
    public static func marshal(_ change: RaftConfChange) -> Data {
        var out: [UInt8] = []
        appendVarintField(1, change.id, to: &out)
        appendVarintField(2, UInt64(bitPattern: Int64(change.type.rawValue)), to: &out)
        appendVarintField(3, change.nodeID, to: &out)
        if change.hasContext {
            change.context.withUnsafeBytes { appendBytesField(4, $0, to: &out) }
        }
        return Data(out)
    }

    /// `raftpb.ConfState`: repeated IDs unpacked (proto2), `auto_leave` always.
    public static func marshal(_ state: RaftConfState) -> Data {
        var out: [UInt8] = []
        for id in state.voters { appendVarintField(1, id, to: &out) }
        for id in state.learners { appendVarintField(2, id, to: &out) }
        for id in state.votersOutgoing { appendVarintField(3, id, to: &out) }
        for id in state.learnersNext { appendVarintField(4, id, to: &out) }
        appendVarintField(5, state.autoLeave ? 1 : 0, to: &out)
        return Data(out)
    }

    /// `raftpb.SnapshotMetadata {conf_state 1, index 2, term 3}`: all three, always.
    public static func marshal(_ metadata: RaftSnapshotMetadata) -> Data {
        var out: [UInt8] = []
        appendMessageField(1, marshal(metadata.confState), to: &out)
        appendVarintField(2, metadata.index, to: &out)
        appendVarintField(3, metadata.term, to: &out)
        return Data(out)
    }

    /// `raftpb.Snapshot {data 1, metadata 2}`: both, always (etcd never saves an empty one).
    public static func marshal(_ snapshot: RaftSnapshot) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(snapshot.data.count + 64)
        snapshot.data.withUnsafeBytes { appendBytesField(1, $0, to: &out) }
        appendMessageField(2, marshal(snapshot.metadata), to: &out)
        return Data(out)
    }

    // MARK: snappb

    /// `snappb.Snapshot {crc 1, data 2}` around marshaled `raftpb.Snapshot` bytes; the crc is
    /// the plain (unchained) CRC-32C of those bytes.
    public static func snapFile(raftSnapshot bytes: Data) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        appendVarintField(1, UInt64(CRC32C.checksum(bytes)), to: &out)
        bytes.withUnsafeBytes { appendBytesField(2, $0, to: &out) }
        return Data(out)
    }

    // MARK: wire primitives

    static func varintSize(_ value: UInt64) -> Int {
        var v = value
        var n = 1
        while v >= 0x80 {
            v >>= 7
            n += 1
        }
        return n
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func appendVarintField(_ field: UInt64, _ value: UInt64, to out: inout [UInt8]) {
        appendVarint(field << 3, to: &out)
        appendVarint(value, to: &out)
    }

    static func appendBytesField(_ field: UInt64, _ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        appendVarint(field << 3 | 2, to: &out)
        appendVarint(UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    static func appendMessageField(_ field: UInt64, _ message: Data, to out: inout [UInt8]) {
        message.withUnsafeBytes { appendBytesField(field, $0, to: &out) }
    }
}
