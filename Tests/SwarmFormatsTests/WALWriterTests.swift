import Foundation
import SwarmFormats
import SwarmProto
import SwarmTestSupport
import Testing

/// The WAL writer against real swarmkit segments: byte-for-byte reproduction, creation,
/// appending, cutting, locking.
@Suite struct WALWriterTests {
    static let allManagers: [(String, String)] = Fixtures.readManagers + [
        ("fresh-init", "manager-1"), ("fresh-init-autolock", "manager-1"), ("after-force-new-cluster", "manager-2"),
    ]

    // MARK: byte-exactness

    @Test("the first records of single-manager's segment re-encode to its exact first 0x88 bytes")
    func firstBytesOfARealSegment() throws {
        let segment = try WALTestRecords.onlySegment(WALTestRecords.walDirectory(Fixtures.folder("single-manager", "manager-1")))
        let original = try Data(contentsOf: segment)
        let (records, _) = try WALTestRecords.records(of: segment)
        var encoder = WALEncoder()
        var out: [UInt8] = []
        encoder.appendCRCRecord(to: &out)
        try encoder.appendRecord(.metadata, data: records[1].record.data, to: &out)
        var snapshot = WALSnapshot()
        snapshot.index = 0
        snapshot.term = 0
        try encoder.appendRecord(.snapshot, data: EtcdWire.marshal(snapshot), to: &out)
        let entry = try RaftEntry(serializedBytes: records[3].record.data)
        try encoder.appendRecord(.entry, data: EtcdWire.marshal(entry), to: &out)
        #expect(out.count >= 0x88)
        #expect(Data(out.prefix(0x88)) == original.prefix(0x88))
    }

    @Test("every record of a real segment re-encodes from its decoded values to the file's exact bytes", arguments: allManagers)
    func wholeSegmentReencodes(scenario: String, node: String) throws {
        let segment = try WALTestRecords.onlySegment(WALTestRecords.walDirectory(Fixtures.folder(scenario, node)))
        let original = try Data(contentsOf: segment)
        let (records, end) = try WALTestRecords.records(of: segment)
        var encoder = WALEncoder()
        var out: [UInt8] = []
        for located in records {
            let record = located.record
            switch WALRecordType(rawValue: record.type) {
            case .crc?:
                encoder = WALEncoder(previousCRC: record.crc)
                encoder.appendCRCRecord(to: &out)
            case .metadata?:
                try encoder.appendRecord(.metadata, data: record.data, to: &out)
            case .snapshot?:
                let data = EtcdWire.marshal(try WALSnapshot(serializedBytes: record.data))
                #expect(data == record.data, "snapshot record at \(located.frameStart)")
                try encoder.appendRecord(.snapshot, data: data, to: &out)
            case .entry?:
                // Re-marshaled from the decoded entry: proves our field presence is etcd's.
                let data = EtcdWire.marshal(try RaftEntry(serializedBytes: record.data))
                #expect(data == record.data, "entry record at \(located.frameStart)")
                try encoder.appendRecord(.entry, data: data, to: &out)
            case .state?:
                let data = EtcdWire.marshal(try RaftHardState(serializedBytes: record.data))
                #expect(data == record.data, "state record at \(located.frameStart)")
                try encoder.appendRecord(.state, data: data, to: &out)
            case nil:
                Issue.record("unknown record type \(record.type)")
            }
        }
        #expect(out.count == end)
        #expect(Data(out) == original.prefix(end))
        #expect(original.dropFirst(end).allSatisfy { $0 == 0 })
    }

    @Test("replaying a real segment's saves through WALWriter reproduces the whole file, preallocation included", arguments: allManagers)
    func writerReproducesSegmentFile(scenario: String, node: String) throws {
        let segment = try WALTestRecords.onlySegment(WALTestRecords.walDirectory(Fixtures.folder(scenario, node)))
        let original = try Data(contentsOf: segment)
        let (records, _) = try WALTestRecords.records(of: segment)
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("wal")
        // crc, metadata, snapshot{0,0}: what create writes.
        #expect(records.prefix(3).map(\.record.type) == [4, 1, 5])
        var writer = try WALWriter.create(directory: directory, metadata: records[1].record.data)
        // The rest as the saves that produced it: a run of entries closed by a state record
        // (or by the next snapshot record) is one Save; a snapshot record is a SaveSnapshot.
        var pending: [MarshaledEntry] = []
        for located in records.dropFirst(3) {
            let record = located.record
            switch WALRecordType(rawValue: record.type) {
            case .entry?:
                let entry = try RaftEntry(serializedBytes: record.data)
                pending.append(MarshaledEntry(index: entry.index, bytes: record.data))
            case .state?:
                try writer.save(hardState: try RaftHardState(serializedBytes: record.data), marshaledEntries: pending)
                pending = []
            case .snapshot?:
                if !pending.isEmpty { try writer.save(hardState: RaftHardState(), marshaledEntries: pending) }
                pending = []
                try writer.saveSnapshot(try WALSnapshot(serializedBytes: record.data))
            default:
                Issue.record("unexpected record type \(record.type) at \(located.frameStart)")
            }
        }
        if !pending.isEmpty { try writer.save(hardState: RaftHardState(), marshaledEntries: pending) }
        try writer.close()
        let written = try WALTestRecords.onlySegment(directory)
        #expect(written.lastPathComponent == segment.lastPathComponent)
        #expect(try Data(contentsOf: written) == original)
    }

    // MARK: create

    @Test func createLaysOutANewWALAsEtcd() throws {
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("wal-v3-encrypted")
        let metadata = Data([0x08, 0x2a, 0x22, 0x00])
        let writer = try WALWriter.create(directory: directory, metadata: metadata)
        #expect(writer.currentSegment == WALSegmentName(sequence: 0, firstIndex: 0))
        try writer.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["0000000000000000-0000000000000000.wal"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["wal-v3-encrypted"])
        let segment = directory.appendingPathComponent("0000000000000000-0000000000000000.wal")
        #expect(try WALTestRecords.mode(directory) == 0o700)
        #expect(try WALTestRecords.mode(segment) == 0o600)
        #expect(try WALTestRecords.size(segment) == 64_000_000)
        let contents = try WALReader(directory: directory).readAll()
        #expect(contents.metadata == metadata)
        #expect(contents.entries.isEmpty)
        #expect(contents.snapshotRecords == [WALStart()])
        #expect(contents.hardState == RaftHardState())
    }

    @Test func createRefusesAnExistingDirectoryAndSetsStaleStagingAside() throws {
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("wal")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        #expect(throws: WALWriteError.directoryExists(path: directory.path)) {
            try WALWriter.create(directory: directory, metadata: Data([1])).close()
        }
        let other = root.appendingPathComponent("wal2")
        let stale = root.appendingPathComponent("wal2.tmp")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: false)
        try Data("left by a crash".utf8).write(to: stale.appendingPathComponent("keep"))
        try WALWriter.create(directory: other, metadata: Data([1])).close()
        let aside = root.appendingPathComponent("wal2.tmp.stale")
        #expect(try Data(contentsOf: aside.appendingPathComponent("keep")) == Data("left by a crash".utf8))
        #expect(throws: WALWriteError.parentMissing(path: root.appendingPathComponent("missing").path)) {
            try WALWriter.create(directory: root.appendingPathComponent("missing/wal"), metadata: Data([1])).close()
        }
    }

    // MARK: open / append

    @Test("appending to a copy of a real WAL continues its chain; swarmkit's entries are still all there", arguments: allManagers)
    func appendToRealWAL(scenario: String, node: String) throws {
        let folder = Fixtures.copy(scenario, node)
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = WALTestRecords.walDirectory(folder)
        let snapshots = try SnapshotReader(directory: folder.appendingPathComponent("raft/snap-v3-encrypted")).loadNewest()
        let start = snapshots.snapshot.map { WALStart(index: $0.index, term: $0.term) } ?? WALStart()
        let before = try WALReader(directory: directory).readAll(from: start)
        let last = before.lastIndex ?? start.index
        var writer = try WALWriter.open(directory: directory, at: start)
        #expect(writer.lastIndex == last)
        #expect(writer.hardState == before.hardState)
        let term = before.hardState.term + 1
        let added = (1...3).map { WALTestRecords.entry(index: last + UInt64($0), term: term, data: Data(repeating: UInt8($0), count: 100 * $0)) }
        let state = WALTestRecords.hardState(term: term, vote: before.hardState.vote, commit: last + 3)
        try writer.save(hardState: state, entries: added)
        try writer.close()
        let after = try WALReader(directory: directory).readAll(from: start)
        #expect(after.entries.count == before.entries.count + 3)
        #expect(after.entries.prefix(before.entries.count).map(\.index) == before.entries.map(\.index))
        for (stored, entry) in zip(after.entries.suffix(3), added) {
            #expect(try after.raftEntry(stored) == entry)
        }
        #expect(after.hardState == state)
        #expect(after.tornTail == nil)
        let segment = try WALTestRecords.onlySegment(directory)
        #expect(try WALTestRecords.size(segment) == 64_000_000)
    }

    @Test func openingForAppendZeroesAndKeepsACopyOfATornTail() throws {
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("wal")
        var writer = try WALWriter.create(directory: directory, metadata: Data([9]), segmentSize: 1 << 16)
        for i in 1...4 as ClosedRange<UInt64> {
            try writer.save(
                hardState: WALTestRecords.hardState(term: 1, vote: 1, commit: i),
                entries: [WALTestRecords.entry(index: i, term: 1, data: Data(repeating: 0xAB, count: 600))])
        }
        try writer.close()
        let segment = try WALTestRecords.onlySegment(directory)
        let (records, _) = try WALTestRecords.records(of: segment)
        // Tear the last entry's record as a crash does: its last sector never reached the disk.
        let victim = try #require(records.last { $0.record.type == WALRecordType.entry.rawValue })
        let original = try Data(contentsOf: segment)
        var damaged = original
        let sector = (victim.recordEnd - 1) / 512 * 512
        damaged.replaceSubrange(sector..<victim.recordEnd, with: Data(count: victim.recordEnd - sector))
        // And leave junk after the end that a later partial overwrite could be confused with.
        damaged.replaceSubrange(40_000..<40_008, with: Data(repeating: 0x55, count: 8))
        try damaged.write(to: segment)
        let torn = try WALReader(directory: directory).readAll()
        #expect(torn.tornTail != nil)
        #expect(torn.entries.map(\.index) == [1, 2, 3])

        var reopened = try WALTestRecords.reopen(directory: directory, at: WALStart(), segmentSize: 1 << 16)
        #expect(reopened.lastIndex == 3)
        #expect(reopened.currentOffset == victim.frameStart)
        try reopened.save(
            hardState: WALTestRecords.hardState(term: 2, vote: 1, commit: 4),
            entries: [WALTestRecords.entry(index: 4, term: 2, data: Data("again".utf8))])
        try reopened.close()
        let after = try WALReader(directory: directory).readAll()
        #expect(after.tornTail == nil)
        #expect(after.entries.map(\.index) == [1, 2, 3, 4])
        #expect(try after.raftEntry(after.entries[3]).term == 2)
        let broken = segment.appendingPathExtension("broken")
        #expect(try Data(contentsOf: broken) == damaged)
        let rewritten = try Data(contentsOf: segment)
        #expect(rewritten.count == damaged.count)
        #expect(rewritten[40_000..<40_008].allSatisfy { $0 == 0 })
    }

    @Test func aSecondWriterIsRefusedWhileTheFirstHoldsTheLock() throws {
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("wal")
        let first = try WALWriter.create(directory: directory, metadata: Data([1]))
        let segment = directory.appendingPathComponent("0000000000000000-0000000000000000.wal").path
        #expect(throws: WALWriteError.locked(path: segment)) {
            try WALWriter.open(directory: directory, at: WALStart()).close()
        }
        try first.close()
        let second = try WALWriter.open(directory: directory, at: WALStart())
        try second.close()
    }

    @Test func refusesWhatEtcdRefuses() throws {
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var writer = try WALWriter.create(directory: root.appendingPathComponent("wal"), metadata: Data([1]))
        var snapshot = WALSnapshot()
        snapshot.index = 5
        snapshot.term = 2
        #expect(throws: WALWriteError.snapshotWithoutConfState(index: 5)) { try writer.saveSnapshot(snapshot) }
        let huge = WALTestRecords.entry(index: 1, term: 1, data: Data(count: WALEncoder.maxRecordSize))
        #expect(throws: WALWriteError.self) {
            try writer.save(hardState: WALTestRecords.hardState(term: 1, vote: 0, commit: 0), entries: [huge])
        }
        try writer.close()
    }

    @Test func frameLengthWordsFollowEtcd() {
        #expect(WALEncoder.lengthWord(recordSize: 8) == (8, 0))
        #expect(WALEncoder.lengthWord(recordSize: 4).word == 0x8400_0000_0000_0004)
        #expect(WALEncoder.lengthWord(recordSize: 66).word == 0x8600_0000_0000_0042)
        #expect(WALEncoder.lengthWord(recordSize: 23).padding == 1)
    }
}
