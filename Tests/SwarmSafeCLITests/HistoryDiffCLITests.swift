import Foundation
import SwarmTestSupport
import Testing

/// `history`, `diff`, `recover --rewind-to` and `restore --at-index` as an operator uses them
/// to undo a bad change.
@Suite struct HistoryDiffCLITests {
    static let webZero = "0dftucgwoe9okprs60wshq5pn"

    @Test func historyPrintsTheTimeline() throws {
        let folder = Fixtures.folder("ha-3mgr-snapshot", "manager-1").path
        let result = try CLIRunner.run(["history", "--state-dir", folder])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("120  t2  ") == true)
        #expect(lines.first?.contains("snapshot: 5 nodes, 12 services, 30 tasks") == true)
        #expect(lines.contains { $0.hasPrefix("121  t2  2026-11-22T") && $0.hasSuffix("update service web-2 (qmjixfatj43yuu8s45tj0fozu)") })

        let filtered = try CLIRunner.run(["history", "--state-dir", folder, "--kind", "service", "--from-index", "121", "--json"])
        #expect(filtered.status == 0, "\(filtered.stderr)")
        #expect(filtered.lines.map { $0["index"] as? Int } == [121, 122])
        #expect(filtered.lines.map { $0["name"] as? String } == ["web-2", "web-3"])

        let noOps = try CLIRunner.run(["history", "--state-dir", Fixtures.folder("single-manager", "manager-1").path, "--all", "--to-index", "2"])
        #expect(noOps.stdout.split(separator: "\n").count == 2)
        #expect(noOps.stdout.contains("add member 4476ed6b6cbbbad3 (node 9boidup3dcx2vuk98n74xm4ri, 127.0.0.1:46507)"))
        #expect(noOps.stdout.contains("leader no-op"))

        let bad = try CLIRunner.run(["history", "--state-dir", folder, "--kind", "gadget"])
        #expect(bad.status == 2)
    }

    @Test func diffAgainstItsEarlierSelfListsTheLaterUpdates() throws {
        let folder = Fixtures.folder("ha-3mgr-snapshot", "manager-1").path
        let result = try CLIRunner.run(["diff", folder, folder, "--at-index", "121", "--kind", "service", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let kinds = try #require(result.json["kinds"] as? [String: Any])
        let services = try #require(kinds["service"] as? [String: Any])
        let changed = try #require(services["changed"] as? [[String: Any]])
        // 121 updated web-2 and is kept; 122 updated web-3 and is not.
        #expect(changed.map { $0["name"] as? String } == ["web-3"])
        #expect((changed.first?["fields"] as? [Any])?.isEmpty == false)
        #expect((result.json["a"] as? [String: Any])?["index"] as? Int == 121)
        #expect((result.json["b"] as? [String: Any])?["index"] as? Int == 125)

        let same = try CLIRunner.run(["diff", folder, folder])
        #expect(same.status == 0)
        #expect(same.stdout.contains("no differences"))

        let tooOld = try CLIRunner.run(["diff", folder, folder, "--at-index", "100"])
        #expect(tooOld.status == 2)
        #expect(tooOld.stderr.contains("from 120 to 125"))
    }

    @Test func rewindDryRunChangesNothing() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("ha-3mgr-snapshot", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let before = try Fixtures.tree(folder.path, directories: true)
        let result = try CLIRunner.run(["recover", "--rewind-to", "121", "--state-dir", folder.path, "--dry-run", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json["dry_run"] as? Bool == true)
        #expect(result.json["changed"] as? Bool == false)
        #expect(result.json["dropped_entries"] as? Int == 4)
        #expect((result.json["hard_state_after"] as? [String: Any])?["commit"] as? Int == 121)
        #expect(try Fixtures.tree(folder.path, directories: true) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["swarm"])
    }

    @Test func rewindRefusesAnIndexBeforeTheSnapshot() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("ha-3mgr-snapshot", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let before = try Fixtures.tree(folder.path, directories: true)
        let result = try CLIRunner.run(["recover", "--rewind-to", "119", "--state-dir", folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("index 119"))
        #expect(result.stderr.contains("from 120 to 125"))
        #expect(try Fixtures.tree(folder.path, directories: true) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["swarm"])
    }

    @Test func undoAnUpdateThenCompareWithTheOldFolder() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let result = try CLIRunner.run(["recover", "--rewind-to", "15", "--state-dir", folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json["changed"] as? Bool == true)
        let aside = try #require(result.json["previous_moved_to"] as? String)
        let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        let raft = try #require(inspect.json["raft"] as? [String: Any])
        #expect(raft["last_index"] as? Int == 15)
        #expect(raft["commit"] as? Int == 15)
        // The kept folder at 15 is what the rewound one is now.
        let same = try CLIRunner.run(["diff", aside, folder.path, "--at-index", "15", "--json"])
        #expect((same.json["summary"] as? [String: Int]) == ["added": 0, "removed": 0, "changed": 0])
        // And rewinding dropped web-1 and web-2 and the update of web-0.
        let undone = try CLIRunner.run(["diff", aside, folder.path, "--kind", "service", "--json"])
        let services = try #require((undone.json["kinds"] as? [String: Any])?["service"] as? [String: Any])
        #expect((services["removed"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.sorted() == ["web-1", "web-2"])
        #expect((services["changed"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [Self.webZero])
    }

    @Test func restoreAtAnIndexFromABackup() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let key = CLIRunner.keyArguments("autolock-3mgr")
        let backup = try BackupCLITests.backup(Fixtures.folder("autolock-3mgr", "manager-1"), repo: root.appendingPathComponent("repo"), key)
        #expect(backup.status == 0, "\(backup.stderr)")
        let archive = try #require(backup.json["archive"] as? String)

        // The archive reads like a folder.
        let history = try CLIRunner.run(["history", archive, "--kind", "service", "--json"] + key)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.lines.first?["action"] as? String == "snapshot")
        #expect(history.lines.contains { $0["index"] as? Int == 53 })

        for (flag, value) in [("--at-index", "52"), ("--before-index", "53")] {
            let target = root.appendingPathComponent("host\(flag)/swarm")
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let restore = try CLIRunner.run(["restore", archive, "--state-dir", target.path, flag, value, "--json", "--quiet"] + key)
            #expect(restore.status == 0, "\(restore.stderr)")
            #expect((restore.json["rewind"] as? [String: Any])?["index"] as? Int == 52)
            let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", target.path] + key)
            let raft = try #require(inspect.json["raft"] as? [String: Any])
            #expect(raft["last_index"] as? Int == 52)
            #expect(raft["commit"] as? Int == 52)
            #expect(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path) == ["swarm"])
            // The restored state is the archive's at 52.
            let diff = try CLIRunner.run(["diff", archive, target.path, "--at-index", "52", "--json"] + key)
            #expect(diff.status == 0, "\(diff.stderr)")
            #expect((diff.json["summary"] as? [String: Int]) == ["added": 0, "removed": 0, "changed": 0])
        }

        let tooOld = root.appendingPathComponent("old/swarm")
        try FileManager.default.createDirectory(at: tooOld.deletingLastPathComponent(), withIntermediateDirectories: true)
        let refused = try CLIRunner.run(["restore", archive, "--state-dir", tooOld.path, "--at-index", "10", "--quiet"] + key)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains(archive))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tooOld.deletingLastPathComponent().path) == [])
    }
}
