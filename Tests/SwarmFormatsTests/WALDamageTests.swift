import Foundation
import SwarmFormats
import SwarmProto
import SwarmTestSupport
import Testing

/// Damage a crash or a bad disk leaves, on copies of a real WAL.
@Suite struct WALDamageTests {
    static func segmentPath(_ folder: URL) throws -> URL {
        let dir = folder.appendingPathComponent("raft/wal-v3-encrypted")
        let name = try #require(WALReader(directory: dir).segmentNames().last)
        return dir.appendingPathComponent(name.fileName)
    }

    static func read(_ folder: URL) throws -> WALContents {
        try WALReader(directory: folder.appendingPathComponent("raft/wal-v3-encrypted")).readAll()
    }

    static func patch(_ file: URL, at offset: Int, _ bytes: [UInt8]) throws {
        let handle = try FileHandle(forUpdating: file)
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data(bytes))
    }

    @Test func flippedByteInARecordIsCorruptionWithItsOffset() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let intact = try Self.read(folder)
        let victim = intact.entries[10]
        let file = try Self.segmentPath(folder)
        let original = try Data(contentsOf: file)
        // Flip a byte inside the entry's data, well past the frame header.
        let at = victim.position.offset + 40
        try Self.patch(file, at: at, [original[at] ^ 0x01])
        #expect {
            try Self.read(folder)
        } throws: { error in
            guard case WALError.crcMismatch(let position, _, _) = error else { return false }
            return position.offset == victim.position.offset && position.segment == file.lastPathComponent
        }
    }

    @Test func truncatedLastRecordIsATornTailAndEverythingBeforeIsRead() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let intact = try Self.read(folder)
        let last = try #require(intact.entries.last)
        let file = try Self.segmentPath(folder)
        // Zero the second half of the last entry's frame: what an interrupted write leaves.
        let end = intact.end.offset
        let cut = last.position.offset + (end - last.position.offset) / 2
        try Self.patch(file, at: cut, [UInt8](repeating: 0, count: end - cut))
        let damaged = try Self.read(folder)
        guard case .tornTail(let position, _)? = damaged.tornTail else {
            Issue.record("expected a torn tail, got \(String(describing: damaged.tornTail))")
            return
        }
        // Whatever followed the last entry (a state record) is lost with it; the entries
        // before it are all there.
        #expect(position.offset <= last.position.offset)
        #expect(damaged.entries.count >= intact.entries.count - 1)
        #expect(damaged.entries.map(\.index) == intact.entries.prefix(damaged.entries.count).map(\.index))
    }

    @Test func fileCutShortInsideARecordIsATornTail() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let intact = try Self.read(folder)
        let last = try #require(intact.entries.last)
        let file = try Self.segmentPath(folder)
        let handle = try FileHandle(forUpdating: file)
        try handle.truncate(atOffset: UInt64(last.position.offset + 20))
        try handle.close()
        let damaged = try Self.read(folder)
        #expect(damaged.tornTail != nil)
        #expect(damaged.entries.count == intact.entries.count - 1)
    }

    @Test func recordsAreReadAtEveryTruncationPoint() throws {
        // Cut the segment at every record boundary and inside records: the reader must
        // always return exactly the complete records before the cut, never crash.
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let intact = try Self.read(folder)
        let file = try Self.segmentPath(folder)
        let original = try Data(contentsOf: file)
        let boundaries = intact.entries.map(\.position.offset)
        for (i, boundary) in boundaries.enumerated() where i > 0 {
            for delta in [0, 3, 9] {
                try original.prefix(boundary + delta).write(to: file)
                let damaged = try Self.read(folder)
                #expect(damaged.entries.count == i, "cut at \(boundary + delta)")
            }
        }
    }
}
