import Foundation
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmRecovery
import SwarmStore
import SwarmTestSupport
import Testing

/// Damaged copies of the real fixtures, and the state they should be repaired to.
enum RepairFixture {
    /// A private copy at `<scratch>/swarm`, so the rollback copy lands beside it in a folder
    /// the test owns.
    static func copy(_ scenario: String, _ node: String) throws -> (parent: URL, folder: URL) {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-repair-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let folder = parent.appendingPathComponent("swarm")
        #expect(Fixtures.run("/bin/cp", ["-a", Fixtures.folder(scenario, node).path, folder.path]) == 0)
        return (parent, folder)
    }

    static func key(_ scenario: String) throws -> UnlockKey? {
        try Fixtures.unlockKey(scenario).map { try UnlockKey(parsing: $0, source: "test") }
    }

    static func load(_ folder: URL, key: UnlockKey? = nil) throws -> LoadedNode {
        try NodeLoader(unlockKey: key).loadManager(StateDirectory(path: folder.path), replay: true)
    }

    static func walDirectory(_ folder: URL) -> URL { folder.appendingPathComponent("raft/wal-v3-encrypted") }
    static func snapDirectory(_ folder: URL) -> URL { folder.appendingPathComponent("raft/snap-v3-encrypted") }

    static func segments(_ folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: walDirectory(folder).path)
            .filter { $0.hasSuffix(".wal") }.sorted().map { walDirectory(folder).appendingPathComponent($0) }
    }

    static func patch(_ file: URL, at offset: Int, _ transform: (UInt8) -> UInt8) throws {
        let handle = try FileHandle(forUpdating: file)
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data([transform(byte)]))
    }

    /// Where the last byte of the record stored at `position` is: damage there breaks the
    /// record's CRC and nothing else.
    static func lastRecordByte(_ position: WALPosition, in folder: URL) throws -> Int {
        let data = try Data(contentsOf: walDirectory(folder).appendingPathComponent(position.segment))
        let word = data[position.offset..<(position.offset + 8)].enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        return position.offset + 8 + Int(word & 0x00FF_FFFF_FFFF_FFFF) - 1
    }

    /// Writes the folder's WAL again through `WALWriter`, one save per entry so small
    /// segments cut often, with `replace` giving new stored data for chosen entries (the
    /// record around it gets a valid CRC: damage only the payload can show).
    static func reencode(
        _ folder: URL, key: UnlockKey? = nil, segmentSize: Int = WALWriter.defaultSegmentSize,
        replace: (RaftEntry) throws -> Data? = { _ in nil }
    ) throws {
        let node = try load(folder, key: key)
        let log = try #require(node.raft)
        let metadata = try #require(log.wal.metadata)
        var entries: [RaftEntry] = []
        try log.wal.forEachEntry { _, entry in entries.append(entry) }
        let original = walDirectory(folder)
        let moved = folder.appendingPathComponent("raft/wal-original")
        try FileManager.default.moveItem(at: original, to: moved)
        var writer = try WALWriter.create(directory: original, metadata: metadata, segmentSize: segmentSize)
        if let snapshot = log.snapshot {
            var record = WALSnapshot()
            record.index = snapshot.index
            record.term = snapshot.term
            record.confState = snapshot.snapshot.metadata.confState
            try writer.saveSnapshot(record)
        }
        for var entry in entries {
            if let data = try replace(entry) { entry.data = data }
            // A hard state after every save, as a live node writes them.
            var state = log.hardState
            state.commit = min(state.commit, entry.index)
            try writer.save(hardState: state, entries: [entry])
        }
        try writer.save(hardState: log.hardState, entries: [])
        try writer.close()
        try FileManager.default.removeItem(at: moved)
    }

    /// Every object as stored, by kind and ID.
    static func objects(_ store: ObjectStore) -> [String: Data] {
        var result: [String: Data] = [:]
        for kind in ObjectKind.allCases {
            for object in store.objects(kind) { result["\(kind)/\(object.id)"] = object.bytes }
        }
        return result
    }

    /// The store an intact folder had right after entry `index`: its snapshot and log
    /// replayed only that far.
    static func objects(of folder: URL, key: UnlockKey? = nil, through index: UInt64) throws -> [String: Data] {
        let node = try load(folder, key: key)
        let log = try #require(node.raft)
        let start = WALStart(index: log.snapshotIndex, term: log.snapshotTerm)
        let reader = WALSalvageReader(directory: walDirectory(folder))
        let next = log.entries.first { $0.index > index }
        let prefix = try next.map { try reader.read(from: start, stoppingAt: $0.position) } ?? reader.read(from: start)
        #expect(prefix.contents.lastIndex ?? log.snapshotIndex == index)
        let limited = RaftLog(
            layout: log.layout, snapshot: log.snapshot, snapshotPayload: log.snapshotPayload, wal: prefix.contents,
            decrypter: log.decrypter)
        return objects(try Replayer.replay(limited, localMember: node.localMember).store)
    }

    /// The store the folder's WAL alone builds, from index 1 (its snapshot ignored), up to
    /// `index`. swarmkit writes a snapshot's objects as its store holds them, which need not
    /// be the bytes the entries carried, so a state rebuilt without the snapshot is compared
    /// with this rather than with the snapshot's.
    static func objectsFromWAL(of folder: URL, key: UnlockKey? = nil, through index: UInt64 = .max) throws -> [String: Data] {
        let node = try load(folder, key: key)
        let log = try #require(node.raft)
        let reader = WALSalvageReader(directory: walDirectory(folder))
        let whole = try reader.read()
        let next = whole.contents.entries.first { $0.index > index }
        let prefix = try next.map { try reader.read(stoppingAt: $0.position) } ?? whole
        let limited = RaftLog(layout: log.layout, snapshot: nil, snapshotPayload: nil, wal: prefix.contents, decrypter: log.decrypter)
        return objects(try Replayer.replay(limited, localMember: node.localMember).store)
    }

    /// A repaired folder as the loader sees it: nothing skipped, nothing torn.
    static func expectClean(_ node: LoadedNode) throws {
        let log = try #require(node.raft)
        #expect(log.skippedSnapshots.isEmpty)
        #expect(log.wal.tornTail == nil)
        #expect(!node.warnings.contains { $0.contains("torn") || $0.contains("damaged") })
        // raft's rules for the hard state (FORMAT.md §8).
        #expect(log.hardState.commit <= log.lastIndex)
        #expect(log.hardState.commit >= log.snapshotIndex)
        #expect(log.hardState.term >= log.lastTerm)
    }
}

extension RepairFixture {
    /// Every file's size, mode and CRC-32C and every folder's mode, by relative path: proof
    /// that a folder was left exactly as it was, without holding 64 MB segments in memory.
    static func fingerprint(_ root: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        guard let walk = FileManager.default.enumerator(atPath: root.path) else { return [:] }
        while let relative = walk.nextObject() as? String {
            let path = root.appendingPathComponent(relative).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? Int).map { String($0, radix: 8) } ?? "?"
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                result[relative + "/"] = mode
            } else {
                var crc = CRC32C()
                let mapped = try MappedFile(path: path)
                mapped.withBytes { crc.update($0) }
                result[relative] = "\(mode) \(mapped.count) \(crc.value)"
            }
        }
        return result
    }
}
