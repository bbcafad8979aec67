import Foundation
import SwarmFormats
import SwarmProto
import SwarmTestSupport
import Testing

@Suite struct WALReaderTests {
    static func walDirectory(_ folder: URL) -> URL {
        folder.appendingPathComponent("raft/wal-v3-encrypted")
    }

    static func goldenEntries(_ scenario: String, _ node: String) throws -> [String: Any] {
        try #require(Fixtures.golden(scenario, node)["wal_entries"] as? [String: Any])
    }

    @Test("WAL entries after the snapshot equal swarmkit's reading", arguments: Fixtures.readManagers)
    func entriesMatchGolden(scenario: String, node: String) throws {
        let folder = Fixtures.folder(scenario, node)
        let snapshot = try SnapshotReader(directory: folder.appendingPathComponent("raft/snap-v3-encrypted")).loadNewest()
        #expect(snapshot.skipped.isEmpty)
        let start = snapshot.snapshot.map { WALStart(index: $0.index, term: $0.term) } ?? WALStart()
        let wal = try WALReader(directory: Self.walDirectory(folder)).readAll(from: start)
        let golden = try Self.goldenEntries(scenario, node)
        #expect(wal.entries.count == golden["count"] as? Int)
        #expect(wal.entries.first?.index == (golden["first"] as? Int).map(UInt64.init))
        #expect(wal.entries.last?.index == (golden["last"] as? Int).map(UInt64.init))
        #expect(wal.entries.last?.term == (golden["last_term"] as? Int).map(UInt64.init))
        let types = try #require(golden["types"] as? [String: Int])
        let normal = wal.entries.filter { $0.type == .entryNormal }.count
        let conf = wal.entries.filter { $0.type == .entryConfChange }.count
        #expect(normal == types["EntryNormal", default: 0])
        #expect(conf == types["EntryConfChange", default: 0])
        #expect(wal.tornTail == nil)
        #expect(wal.hardState.commit <= wal.lastIndex ?? 0)
        #expect(wal.metadata != nil)
    }

    @Test func segmentNamesRoundTrip() {
        let name = WALSegmentName(sequence: 3, firstIndex: 0x1f4)
        #expect(name.fileName == "0000000000000003-00000000000001f4.wal")
        #expect(WALSegmentName(fileName: name.fileName) == name)
        #expect(WALSegmentName(fileName: "0.tmp") == nil)
        #expect(WALSegmentName(fileName: "0000000000000003-00000000000001f4.wal.broken") == nil)
    }

    @Test func crc32cKnownAnswer() {
        // RFC 3720 B.4 test vector: 32 bytes of zeros.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        var chained = CRC32C()
        chained.update(Array("1234".utf8))
        chained.update(Array("56789".utf8))
        #expect(chained.value == 0xE306_9283)
    }
}
