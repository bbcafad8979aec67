import Foundation
import SwarmTestSupport
import Testing

/// `repair` as an operator runs it on a manager swarmkit refuses to start.
@Suite struct RepairCLITests {
    static func privateCopy(_ scenario: String, _ node: String) throws -> (parent: URL, folder: URL) {
        let parent = BackupCLITests.scratch()
        let folder = parent.appendingPathComponent("swarm")
        #expect(Fixtures.run("/bin/cp", ["-a", Fixtures.folder(scenario, node).path, folder.path]) == 0)
        return (parent, folder)
    }

    /// Cuts the only segment 300 bytes before the end of its data: a torn last entry.
    static func tear(_ folder: URL) throws {
        let segment = DamageCLITests.walSegment(folder)
        let data = try Data(contentsOf: segment)
        let end = try #require(data.indices.last { data[$0] != 0 }) + 1
        try data.prefix(end - 300).write(to: segment)
    }

    @Test func aHealthyFolderHasNothingToRepair() throws {
        let (parent, folder) = try Self.privateCopy("autolock-3mgr", "manager-2")
        defer { try? FileManager.default.removeItem(at: parent) }
        let before = try DamageCLITests.fingerprint(folder)
        let result = try CLIRunner.run(["repair", "--state-dir", folder.path] + CLIRunner.keyArguments("autolock-3mgr"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("nothing to repair"))
        #expect(try DamageCLITests.fingerprint(folder) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["swarm"])
    }

    @Test func dryRunReportsTheDamageAndChangesNothing() throws {
        let (parent, folder) = try Self.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        try Self.tear(folder)
        let before = try DamageCLITests.fingerprint(folder)
        let result = try CLIRunner.run(["repair", "--state-dir", folder.path, "--dry-run", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json["dry_run"] as? Bool == true)
        #expect(result.json["changed"] as? Bool == false)
        #expect(result.json["healthy"] as? Bool == false)
        let findings = try #require(result.json["findings"] as? [[String: Any]])
        #expect(findings.first?["kind"] as? String == "wal_torn_tail")
        #expect(findings.first?["file"] as? String == "raft/wal-v3-encrypted/0000000000000000-0000000000000000.wal")
        #expect(findings.first?["offset"] is Int)
        let text = try CLIRunner.run(["repair", "--state-dir", folder.path, "--dry-run"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("would end at index"))
        #expect(text.stdout.contains("dry run: nothing was changed"))
        #expect(try DamageCLITests.fingerprint(folder) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["swarm"])
    }

    @Test func aTornLogIsRepairedAndLoadsCleanly() throws {
        let (parent, folder) = try Self.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        try Self.tear(folder)
        let torn = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        #expect(torn.stderr.contains("torn last record"))
        let lastIndex = try #require((torn.json["raft"] as? [String: Any])?["last_index"] as? Int)

        let result = try CLIRunner.run(["repair", "--state-dir", folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json["changed"] as? Bool == true)
        #expect(result.json["ends_at_index"] as? Int == lastIndex)
        let aside = try #require(result.json["previous_moved_to"] as? String)
        let finding = try #require((result.json["findings"] as? [[String: Any]])?.first)
        let asidePath = try #require(finding["aside_path"] as? String)
        #expect(asidePath == aside + "/raft/wal-v3-encrypted/0000000000000000-0000000000000000.wal")
        #expect(FileManager.default.fileExists(atPath: asidePath))

        let after = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(!after.stderr.contains("torn"))
        #expect((after.json["raft"] as? [String: Any])?["last_index"] as? Int == lastIndex)
        #expect(after.json["objects"] as? [String: Int] == torn.json["objects"] as? [String: Int])
        // Judged from outside by swarmkit's own decoder's reading of the intact fixture: no
        // object from after the repaired end, every object as it read it or older.
        let problems = Fixtures.goldenCutProblems(
            try GoldenReading.dumpedFields(folder.path), golden: try GoldenReading.fields("single-manager", "manager-1"), cutAt: UInt64(lastIndex))
        #expect(problems.isEmpty, "\(problems)")
        let again = try CLIRunner.run(["repair", "--state-dir", folder.path])
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to repair"))
    }

    @Test func aLogDamagedBeforeItsMetadataIsUnsalvageable() throws {
        let (parent, folder) = try Self.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        // Byte 0x20 lies in the metadata record right after the first crc record.
        let segment = DamageCLITests.walSegment(folder)
        let byte = try Data(contentsOf: segment)[0x20]
        try DamageCLITests.patch(segment, at: 0x20, [byte ^ 0xff])
        let before = try DamageCLITests.fingerprint(folder)
        let result = try CLIRunner.run(["repair", "--state-dir", folder.path])
        #expect(result.status == 4, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("metadata"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try DamageCLITests.fingerprint(folder) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["swarm"])
    }

    @Test func lockedWorkerAndMissingFoldersFailCleanly() throws {
        let (parent, folder) = try Self.privateCopy("autolock-3mgr", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let before = try DamageCLITests.fingerprint(folder)
        let locked = try CLIRunner.run(["repair", "--state-dir", folder.path])
        #expect(locked.status == 3, "\(locked.stderr)")
        #expect(try DamageCLITests.fingerprint(folder) == before)

        let worker = try CLIRunner.run(["repair", "--state-dir", Fixtures.folder("ha-3mgr-snapshot", "worker-1").path])
        #expect(worker.status == 1)
        #expect(worker.stderr.contains("worker"))

        let missing = try CLIRunner.run(["repair", "--state-dir", parent.appendingPathComponent("nope").path])
        #expect(missing.status == 5)
    }

    @Test func helpTeaches() throws {
        let help = try CLIRunner.run(["repair", "--help"])
        #expect(help.status == 0)
        // Wrapped to the terminal's width: compare with the line breaks folded away.
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for phrase in ["never deletes anything", "swarmsafe-old", "--dry-run", "Examples:", "torn last record", "exit 4"] {
            #expect(text.contains(phrase), "\(phrase)")
        }
    }
}
