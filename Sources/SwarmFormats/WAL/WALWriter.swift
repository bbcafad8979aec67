import Foundation
import SwarmProto

/// A raft entry already marshaled as `raftpb.Entry` (the `data` of a WAL entry record), for
/// writing an entry back exactly as it was stored.
public struct MarshaledEntry: Sendable, Equatable {
    public let index: UInt64
    public let bytes: Data

    public init(index: UInt64, bytes: Data) {
        self.index = index
        self.bytes = bytes
    }

    public init(_ entry: RaftEntry) {
        self.init(index: entry.index, bytes: EtcdWire.marshal(entry))
    }
}

extension WALContents {
    /// The stored `raftpb.Entry` bytes of `entry`, to write it back unchanged. (The record
    /// around them is not reused: its CRC belongs to the old chain.)
    public func marshaledEntry(_ entry: WALEntry) throws -> MarshaledEntry {
        do {
            return MarshaledEntry(index: entry.index, bytes: try WALRecord(serializedBytes: recordBytes(entry)).data)
        } catch {
            throw WALError.undecodableRecord(entry.position, reason: "entry record: \(error)")
        }
    }
}

/// Appends to an etcd v3 WAL the way etcd's `wal.WAL` does, so swarmkit reads the result as
/// its own: same records, frames, CRC chain, segment names, preallocation, locks and syncs.
///
/// - `create` builds the WAL in `<dir>.tmp` (crc 0, metadata, snapshot {0, 0}), syncs it and
///   renames it into place; `open` continues an existing WAL at its end.
/// - `save` writes entry records then a state record, and fsyncs (fdatasync) when etcd would:
///   when there are entries or the term or vote changed. Once the segment has grown past
///   `segmentSize` it cuts: the next segment is prepared as `0.tmp`/`1.tmp` (crc, metadata,
///   state), synced, renamed to `seq+1`-`lastIndex+1`, and the directory is synced.
/// - Every segment written is locked (OFD lock, as etcd) until the writer is closed or
///   dropped, so a running manager and the writer cannot both append.
///
/// Dropping a writer without `close()` closes the files without a final sync, like a crash:
/// what was saved is durable, anything after the last sync may not be.
///
/// Only ever open a WAL swarmsafe is producing: opening for append zeroes whatever follows
/// the last intact record, as etcd does.
public struct WALWriter: ~Copyable {
    public static let defaultSegmentSize = 64_000_000
    /// etcd's page writer flushes in similar chunks; it bounds memory on a huge `save`.
    static let flushThreshold = 1 << 20

    public let directory: URL
    public let segmentSize: Int
    /// This node's metadata (marshaled RaftMember), repeated at the head of every segment.
    public let metadata: Data
    /// The hard state last saved (or read, when opened): the head of every new segment.
    public private(set) var hardState: RaftHardState
    /// Index of the last entry (or snapshot) saved; names the next segment on a cut.
    public private(set) var lastIndex: UInt64

    private var encoder: WALEncoder
    private var tail: WALSegmentFile
    /// Earlier segments, still locked as etcd keeps them.
    private var held: [WALSegmentFile]
    private var offset: Int
    private var buffer: [UInt8] = []
    /// Which of `0.tmp` / `1.tmp` the next cut prepares (etcd alternates them).
    private var temporaryCount = 0

    private init(
        directory: URL, segmentSize: Int, metadata: Data, hardState: RaftHardState, lastIndex: UInt64,
        encoder: WALEncoder, tail: WALSegmentFile, held: [WALSegmentFile], offset: Int
    ) {
        self.directory = directory
        self.segmentSize = segmentSize
        self.metadata = metadata
        self.hardState = hardState
        self.lastIndex = lastIndex
        self.encoder = encoder
        self.tail = tail
        self.held = held
        self.offset = offset
        buffer.reserveCapacity(Self.flushThreshold + 64 * 1024)
    }

    deinit {
        tail.close()
        for file in held { file.close() }
    }

    /// The segment being appended to.
    public var currentSegment: WALSegmentName? { tail.name }
    /// Where the next record goes in the current segment.
    public var currentOffset: Int { offset + buffer.count }
    /// The running CRC the next record continues.
    public var crc: UInt32 { encoder.crc.value }

    // MARK: create / open

    /// Creates a new WAL at `directory`, which must not exist (its parent must).
    public static func create(
        directory: URL, metadata: Data, segmentSize: Int = defaultSegmentSize
    ) throws -> WALWriter {
        let path = directory.standardizedFileURL.path
        let parent = (path as NSString).deletingLastPathComponent
        guard try FileSync.entry(path) == .missing else { throw WALWriteError.directoryExists(path: path) }
        guard try FileSync.entry(parent) != .missing else { throw WALWriteError.parentMissing(path: parent) }
        let staging = path + ".tmp"
        try WALStaging.moveAsideStale(staging)
        try FileSync.makeDirectory(staging, mode: WALStaging.directoryMode)
        let name = WALSegmentName(sequence: 0, firstIndex: 0)
        do {
            let file = try WALSegmentFile.create(
                path: staging + "/" + name.fileName, name: name, size: segmentSize)
            var writer = WALWriter(
                directory: URL(fileURLWithPath: path, isDirectory: true), segmentSize: segmentSize,
                metadata: metadata, hardState: RaftHardState(), lastIndex: 0, encoder: WALEncoder(),
                tail: file, held: [], offset: 0)
            writer.encoder.appendCRCRecord(to: &writer.buffer)
            try writer.encoder.appendRecord(.metadata, data: metadata, to: &writer.buffer)
            try writer.saveSnapshot(WALSnapshot.start)
            try FileSync.syncDirectory(staging)
            try FileSync.rename(staging, to: path)
            writer.tail.moved(to: path + "/" + name.fileName)
            try FileSync.syncDirectory(parent)
            return writer
        } catch {
            // Only our own staging folder, never anything that was there before.
            if (try? FileSync.entry(staging)) != .missing { try? FileManager.default.removeItem(atPath: staging) }
            throw error
        }
    }

    /// Opens an existing WAL for appending after the snapshot at `start`: reads it as etcd
    /// does, locks the segments from the snapshot's on, zeroes anything after the last intact
    /// record (keeping a `.broken` copy of the segment first if it ended in a torn record) and
    /// continues the CRC chain there.
    public static func open(
        directory: URL, at start: WALStart, segmentSize: Int = defaultSegmentSize
    ) throws -> WALWriter {
        let reader = WALReader(directory: directory)
        let names = try reader.selectSegments(from: start)
        var files: [WALSegmentFile] = []
        do {
            // Lock before reading so nobody appends between the read and our first write.
            for name in names {
                files.append(try WALSegmentFile.openExisting(
                    path: directory.appendingPathComponent(name.fileName).path, name: name))
            }
            let contents = try reader.readAll(from: start)
            guard let metadata = contents.metadata else { throw WALWriteError.noMetadata(directory: directory.path) }
            guard let tail = files.last, tail.name?.fileName == contents.end.segment else {
                throw WALError.noSegments(directory: directory.path)
            }
            if contents.tornTail != nil { try WALStaging.keepBrokenCopy(of: tail, directory: directory.path) }
            try WALStaging.zero(tail, from: contents.end.offset)
            let writer = WALWriter(
                directory: directory, segmentSize: segmentSize, metadata: metadata, hardState: contents.hardState,
                lastIndex: max(contents.lastIndex ?? 0, start.index), encoder: WALEncoder(previousCRC: contents.crcAtEnd),
                tail: tail, held: Array(files.dropLast()), offset: contents.end.offset)
            return writer
        } catch {
            for file in files { file.close() }
            throw error
        }
    }

    // MARK: saving

    /// etcd's `Save`: the entries (data already encrypted by the caller), then the hard state
    /// unless it is empty; synced when etcd would sync; cut when the segment is full.
    public mutating func save(hardState state: RaftHardState, entries: [RaftEntry]) throws {
        try save(hardState: state, count: entries.count) { writer, i throws in
            try writer.appendEntry(index: entries[i].index, data: EtcdWire.marshal(entries[i]))
        }
    }

    /// `save` for entries kept as their stored bytes, written back unchanged.
    public mutating func save(hardState state: RaftHardState, marshaledEntries entries: [MarshaledEntry]) throws {
        try save(hardState: state, count: entries.count) { writer, i throws in
            try writer.appendEntry(index: entries[i].index, data: entries[i].bytes)
        }
    }

    /// etcd's `SaveSnapshot`: a snapshot record, always synced. Every snapshot after index 0
    /// must carry its conf state.
    public mutating func saveSnapshot(_ snapshot: WALSnapshot) throws {
        guard snapshot.index == 0 || snapshot.hasConfState else {
            throw WALWriteError.snapshotWithoutConfState(index: snapshot.index)
        }
        try encoder.appendRecord(.snapshot, data: EtcdWire.marshal(snapshot), to: &buffer)
        lastIndex = max(lastIndex, snapshot.index)
        try sync()
    }

    /// Writes out what is buffered and fdatasyncs the current segment.
    public mutating func sync() throws {
        try flush()
        try tail.syncData()
    }

    /// Syncs and closes every segment, releasing the locks.
    public consuming func close() throws {
        try sync()
    }

    private mutating func save(
        hardState state: RaftHardState, count: Int, _ appendEntry: (inout WALWriter, Int) throws -> Void
    ) throws {
        let empty = state.isEmptyHardState
        if empty && count == 0 { return }
        // raft's MustSync: new entries, or a changed term or vote, must be durable before
        // raft acts on them; a commit-only change need not be.
        let mustSync = count > 0 || state.vote != hardState.vote || state.term != hardState.term
        for i in 0..<count { try appendEntry(&self, i) }
        if !empty {
            try encoder.appendRecord(.state, data: EtcdWire.marshal(state), to: &buffer)
            hardState = state
        }
        try flush()
        if offset < segmentSize {
            if mustSync { try tail.syncData() }
            return
        }
        try cut()
    }

    private mutating func appendEntry(index: UInt64, data: Data) throws {
        try encoder.appendRecord(.entry, data: data, to: &buffer)
        lastIndex = index
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    private mutating func flush() throws(FileAccessError) {
        guard !buffer.isEmpty else { return }
        try tail.write(buffer, at: offset)
        offset += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// etcd's `cut`: close off the full segment at its real size, prepare the next one under
    /// a temporary name with its header records, sync it, then rename it into place and sync
    /// the directory, so a crash leaves either no new segment or a complete one.
    private mutating func cut() throws {
        try tail.truncate(to: offset)
        try tail.syncData()
        let sequence = (tail.name?.sequence ?? 0) &+ 1
        let name = WALSegmentName(sequence: sequence, firstIndex: lastIndex &+ 1)
        let temporary = directory.appendingPathComponent("\(temporaryCount % 2).tmp").path
        temporaryCount += 1
        let next = try WALSegmentFile.create(path: temporary, name: nil, size: segmentSize, replacing: true)
        held.append(tail)
        tail = next
        offset = 0
        encoder = WALEncoder(previousCRC: encoder.crc.value)
        encoder.appendCRCRecord(to: &buffer)
        try encoder.appendRecord(.metadata, data: metadata, to: &buffer)
        if !hardState.isEmptyHardState {
            try encoder.appendRecord(.state, data: EtcdWire.marshal(hardState), to: &buffer)
        }
        try sync()
        try tail.rename(to: directory.appendingPathComponent(name.fileName).path, name: name)
        try FileSync.syncDirectory(directory.path)
    }
}

extension WALSnapshot {
    /// The snapshot record a new WAL starts with: index 0, term 0, no conf state.
    static var start: WALSnapshot {
        var snapshot = WALSnapshot()
        snapshot.index = 0
        snapshot.term = 0
        return snapshot
    }
}

extension RaftHardState {
    /// raft's `IsEmptyHardState`: etcd writes no state record for it.
    public var isEmptyHardState: Bool { term == 0 && vote == 0 && commit == 0 }
}
