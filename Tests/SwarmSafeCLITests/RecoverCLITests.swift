import Foundation
import SwarmTestSupport
import Testing

/// `recover --force-new-cluster` as an operator runs it at 3 a.m.
@Suite struct RecoverCLITests {
    static func privateCopy(_ scenario: String, _ node: String) throws -> (parent: URL, folder: URL) {
        let parent = BackupCLITests.scratch()
        let folder = parent.appendingPathComponent("swarm")
        #expect(Fixtures.run("/bin/cp", ["-a", Fixtures.folder(scenario, node).path, folder.path]) == 0)
        return (parent, folder)
    }

    @Test func dryRunPrintsThePlanAndChangesNothing() throws {
        let (parent, folder) = try Self.privateCopy("autolock-3mgr", "manager-3")
        defer { try? FileManager.default.removeItem(at: parent) }
        let before = try DamageCLITests.fingerprint(folder)
        let result = try CLIRunner.run(
            ["recover", "--force-new-cluster", "--state-dir", folder.path, "--dry-run", "--json"] + CLIRunner.keyArguments("autolock-3mgr"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json["dry_run"] as? Bool == true)
        #expect(result.json["changed"] as? Bool == false)
        #expect((result.json["removed_members"] as? [Any])?.count == 2)
        #expect(try DamageCLITests.fingerprint(folder) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["swarm"])
    }

    @Test func recoverThenInspectShowsOneManager() throws {
        let (parent, folder) = try Self.privateCopy("ha-3mgr-snapshot", "manager-3")
        defer { try? FileManager.default.removeItem(at: parent) }
        let result = try CLIRunner.run(["recover", "--force-new-cluster", "--state-dir", folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json["changed"] as? Bool == true)
        let aside = try #require(result.json["previous_moved_to"] as? String)
        #expect(FileManager.default.fileExists(atPath: aside))
        let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        let raft = try #require(inspect.json["raft"] as? [String: Any])
        #expect((raft["members"] as? [Any])?.count == 1)
        #expect(raft["commit"] as? Int == raft["last_index"] as? Int)
        // Membership changes only: the store holds what swarmkit's own decoder read before.
        #expect(try GoldenReading.dumpedFields(folder.path) == GoldenReading.fields("ha-3mgr-snapshot", "manager-3"))
        let again = try CLIRunner.run(["recover", "--force-new-cluster", "--state-dir", folder.path])
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to do"))
    }

    /// The migration path: one manager's backup restored on a new host, alone.
    @Test func restoreWithForceNewCluster() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let key = CLIRunner.keyArguments("autolock-3mgr")
        let source = Fixtures.folder("autolock-3mgr", "manager-2")
        let backup = try BackupCLITests.backup(source, repo: root.appendingPathComponent("repo"), key)
        let archive = try #require(backup.json["archive"] as? String)
        let target = root.appendingPathComponent("new-host/swarm")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let restore = try CLIRunner.run(["restore", archive, "--state-dir", target.path, "--force-new-cluster", "--json"] + key)
        #expect(restore.status == 0, "\(restore.stderr)")
        let recovery = try #require(restore.json["force_new_cluster"] as? [String: Any])
        #expect((recovery["removed_members"] as? [Any])?.count == 2)
        let after = try CLIRunner.run(["inspect", "--json", "--state-dir", target.path] + key)
        let before = try CLIRunner.run(["inspect", "--json", "--state-dir", source.path] + key)
        #expect(((after.json["raft"] as? [String: Any])?["members"] as? [Any])?.count == 1)
        #expect(after.json["objects"] as? [String: Int] == before.json["objects"] as? [String: Int])
        // Judged from outside: membership changes only, so the restored store holds, object by
        // object and field by field, what swarmkit's own decoder read from the source.
        #expect(try GoldenReading.dumpedFields(target.path, keys: key) == GoldenReading.fields("autolock-3mgr", "manager-2"))
        // Nothing but the restored folder was created.
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path) == ["swarm"])
        // Without the unlock key the recovery cannot decrypt: refused, nothing restored.
        let other = root.appendingPathComponent("other/swarm")
        try FileManager.default.createDirectory(at: other.deletingLastPathComponent(), withIntermediateDirectories: true)
        let noKey = try CLIRunner.run(["restore", archive, "--state-dir", other.path, "--force-new-cluster"])
        #expect(noKey.status == 3, "\(noKey.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: other.deletingLastPathComponent().path) == [])
    }

    @Test func badInputsFailCleanlyAndChangeNothing() throws {
        // A worker's folder has no raft log to recover.
        let worker = try CLIRunner.run(["recover", "--force-new-cluster", "--state-dir", Fixtures.folder("ha-3mgr-snapshot", "worker-1").path])
        #expect(worker.status == 1)
        #expect(worker.stderr.contains("worker"))

        // Autolocked, no key: nothing can be decrypted, nothing is written.
        let (lockedParent, locked) = try Self.privateCopy("autolock-3mgr", "manager-1")
        defer { try? FileManager.default.removeItem(at: lockedParent) }
        let lockedBefore = try DamageCLITests.fingerprint(locked)
        let noKey = try CLIRunner.run(["recover", "--force-new-cluster", "--state-dir", locked.path])
        #expect(noKey.status == 3)
        #expect(try DamageCLITests.fingerprint(locked) == lockedBefore)

        // A damaged log: refused, one line, folder untouched, no sibling left behind.
        let (parent, folder) = try Self.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let segment = DamageCLITests.walSegment(folder)
        let byte = try Data(contentsOf: segment)[0x200]
        try DamageCLITests.patch(segment, at: 0x200, [byte ^ 0xff])
        let before = try DamageCLITests.fingerprint(folder)
        let corrupt = try CLIRunner.run(["recover", "--force-new-cluster", "--state-dir", folder.path])
        #expect(corrupt.status == 4)
        #expect(corrupt.stderr.split(separator: "\n").count == 1)
        #expect(try DamageCLITests.fingerprint(folder) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["swarm"])

        // The flag is required.
        #expect(try CLIRunner.run(["recover", "--state-dir", folder.path]).status == 2)
    }
}

/// `key verify` before the 3 a.m. moment that depends on the key.
@Suite struct KeyVerifyCLITests {
    @Test func anUnlockKeyOpensItsFolderAndArchiveAndAWrongOneDoesNot() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = Fixtures.folder("autolock-3mgr", "manager-1")
        let right = CLIRunner.keyArguments("autolock-3mgr")
        let wrong = ["--unlock-key", "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8"]
        #expect(try CLIRunner.run(["key", "verify", "--state-dir", folder.path] + right).status == 0)
        let bad = try CLIRunner.run(["key", "verify", "--state-dir", folder.path] + wrong)
        #expect(bad.status == 3)
        #expect(!bad.stderr.contains("SWMKEY"), "the key must never be echoed")
        #expect(try CLIRunner.run(["key", "verify", "--state-dir", folder.path]).status == 3)
        #expect(try CLIRunner.run(["key", "verify", "--state-dir", Fixtures.folder("single-manager", "manager-1").path]).stdout.contains("not autolocked"))

        let backup = try BackupCLITests.backup(folder, repo: root.appendingPathComponent("repo"), right)
        let archive = try #require(backup.json["archive"] as? String)
        #expect(try CLIRunner.run(["key", "verify", "--archive", archive] + right).status == 0)
        let badArchive = try CLIRunner.run(["key", "verify", "--archive", archive] + wrong)
        #expect(badArchive.status == 3)
        #expect(badArchive.stderr.contains(archive))
    }
}
