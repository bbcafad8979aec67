import Foundation
import SwarmTestSupport
import Testing

/// What an operator sees on folders a crash or a bad disk damaged. Every case works on a
/// private copy and checks that reading changed nothing.
@Suite struct DamageCLITests {
    static func patch(_ file: URL, at offset: Int, _ bytes: [UInt8]) throws {
        let handle = try FileHandle(forUpdating: file)
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data(bytes))
    }

    static func walSegment(_ folder: URL) -> URL {
        folder.appendingPathComponent("raft/wal-v3-encrypted/0000000000000000-0000000000000000.wal")
    }

    /// A digest of every file's bytes, to prove a read left the folder as it was.
    static func fingerprint(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[url.path] = try Data(contentsOf: url)
            }
        }
        return result
    }

    @Test func flippedByteInAWALRecordIsCorruption() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let segment = Self.walSegment(folder)
        // Byte 0x200 lies inside an early entry record.
        var bytes = try Data(contentsOf: segment).prefix(0x201)
        try Self.patch(segment, at: 0x200, [bytes[0x200] ^ 0xff])
        bytes = Data()
        let before = try Self.fingerprint(folder)
        let result = try CLIRunner.run(["inspect", "--state-dir", folder.path])
        #expect(result.status == 4)
        #expect(result.stderr.contains("0000000000000000-0000000000000000.wal at byte"))
        #expect(result.stderr.contains("CRC mismatch"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try Self.fingerprint(folder) == before)
    }

    @Test func truncatedLastRecordIsAWarning() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let wal = try CLIRunner.run(["dump", "wal", "--state-dir", folder.path]).lines
        #expect(wal.count == 28)
        // Cut the segment short: the record that straddles the cut becomes a torn write.
        let segment = Self.walSegment(folder)
        let data = try Data(contentsOf: segment)
        let end = data.indices.last { data[$0] != 0 }.map { $0 + 1 } ?? 0
        func lastIndex(cuttingAt offset: Int) throws -> Int {
            try data.prefix(offset).write(to: segment)
            let result = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("torn last record"))
            return (result.json["raft"] as? [String: Any])?["last_index"] as? Int ?? -1
        }
        // Only the trailing hard-state record is cut: every entry survives.
        #expect(try lastIndex(cuttingAt: end - 10) == 28)
        // Deeper into the last entry: it is dropped, everything before it is read.
        let deeper = try lastIndex(cuttingAt: end - 300)
        #expect(deeper >= 26 && deeper < 28)
    }

    @Test func damagedNewestSnapshotFallsBackToTheOlderOne() throws {
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let snapDirectory = folder.appendingPathComponent("raft/snap-v3-encrypted")
        let newest = snapDirectory.appendingPathComponent("0000000000000002-0000000000000078.snap")
        // An older, intact snapshot file (the same content under an earlier name, which is
        // what etcd orders by), then damage the newest.
        let older = snapDirectory.appendingPathComponent("0000000000000001-0000000000000010.snap")
        try FileManager.default.copyItem(at: newest, to: older)
        let size = try Data(contentsOf: newest).count
        try Self.patch(newest, at: size / 2, [0xde, 0xad, 0xbe, 0xef])
        let before = try Self.fingerprint(folder)
        let result = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("skipped damaged snapshot"))
        #expect((result.json["raft"] as? [String: Any])?["snapshot_file"] as? String == older.lastPathComponent)
        #expect((result.json["objects"] as? [String: Int])?["services"] == 12)
        #expect(try Self.fingerprint(folder) == before, "reading must not rename or change files")
    }

    @Test func damagedOnlySnapshotReadsTheWholeLog() throws {
        // The fixture's single WAL segment still holds every entry from index 1, so without
        // a usable snapshot the manager replays the log from the start and loses nothing.
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-2")
        defer { try? FileManager.default.removeItem(at: folder) }
        let snap = folder.appendingPathComponent("raft/snap-v3-encrypted/0000000000000002-0000000000000078.snap")
        try Self.patch(snap, at: 100, [0, 1, 2, 3])
        let result = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((result.json["raft"] as? [String: Any])?["snapshot_index"] as? Int == 0)
        #expect((result.json["objects"] as? [String: Int])?["services"] == 12)
        #expect((result.json["objects"] as? [String: Int])?["tasks"] == 30)
    }

    @Test func garbageKeyFileIsCorruption() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("not a key".utf8).write(to: folder.appendingPathComponent("certificates/swarm-node.key"))
        let result = try CLIRunner.run(["inspect", "--state-dir", folder.path])
        #expect(result.status == 4)
        #expect(result.stderr.contains("swarm-node.key"))
    }

    @Test func missingKeyFileIsNotFound() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("certificates/swarm-node.key"))
        let result = try CLIRunner.run(["inspect", "--state-dir", folder.path])
        #expect(result.status == 5)
        #expect(result.stderr.contains("swarm-node.key"))
    }

    @Test func randomGarbageNeverCrashes() throws {
        // Overwrite stretches of the log with pseudo-random bytes: every outcome must be a
        // clean exit (0 with warnings, or 4 with a one-line error), never a crash.
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let segment = Self.walSegment(folder)
        let original = try Data(contentsOf: segment)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<12 {
            try original.write(to: segment)
            let offset = Int.random(in: 0..<0x3000, using: &generator)
            let noise = (0..<(1 + round * 5)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try Self.patch(segment, at: offset, noise)
            let result = try CLIRunner.run(["dump", "objects", "--state-dir", folder.path])
            #expect([0, 4].contains(result.status), "offset \(offset): \(result.status) \(result.stderr)")
            if result.status == 4 { #expect(result.stderr.split(separator: "\n").count == 1) }
        }
    }
}
