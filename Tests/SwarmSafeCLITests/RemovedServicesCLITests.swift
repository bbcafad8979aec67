import Foundation
import SwarmTestScenarios
import SwarmTestSupport
import Testing

/// `verify --deep`, `check` and `restore` on a state a hot backup takes around
/// `docker service rm`: its tasks outlive the service (see `RemovedServicesState`). Real
/// dockerd boots such states and cleans up, so all three pass and count them instead.
@Suite struct RemovedServicesCLITests {
    static let information =
        "4 tasks of removed services await swarmkit's cleanup: its orchestrators delete them when the manager starts"
    static let line = "swarmsafe: information: " + information

    static func occurrences(_ text: String, _ part: String) -> Int {
        text.components(separatedBy: part).count - 1
    }

    @Test func checkPassesAndCountsTheTasks() throws {
        let state = try RemovedServicesState.make()
        defer { try? FileManager.default.removeItem(at: state.parent) }
        let json = try CLIRunner.run(["check", "--state-dir", state.folder.path, "--json", "--work-dir", state.parent.path])
        #expect(json.status == 0, "\(json.stdout)\(json.stderr)")
        #expect(json.json["passed"] as? Bool == true)
        #expect(json.json["information"] as? [String] == [Self.information])
        #expect(Self.occurrences(json.stderr, Self.line) == 1)

        let text = try CLIRunner.run(["check", "--state-dir", state.folder.path, "--work-dir", state.parent.path])
        #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("ok   references"))
        #expect(text.stdout.contains("objects: 1 services, 6 tasks"))
        #expect(Self.occurrences(text.stderr, Self.line) == 1)
    }

    @Test func verifyDeepAndRestorePassAndCountTheTasks() throws {
        let state = try RemovedServicesState.make()
        defer { try? FileManager.default.removeItem(at: state.parent) }
        let backup = try BackupCLITests.backup(state.folder, repo: state.parent.appendingPathComponent("repo"))
        let archive = try #require(backup.json["archive"] as? String, "\(backup.stderr)")

        let verify = try CLIRunner.run(["verify", archive, "--deep"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("good (full check, references checked, boots in the embedded manager"))
        // Found by the replayed store and by the boot, said once.
        #expect(Self.occurrences(verify.stderr, Self.line) == 1)
        let verifyJSON = try CLIRunner.run(["verify", archive, "--deep", "--json"])
        #expect(verifyJSON.status == 0, "\(verifyJSON.stdout)\(verifyJSON.stderr)")
        #expect(verifyJSON.json["ok"] as? Bool == true)
        #expect(verifyJSON.json["findings"] as? [String] == [])
        #expect(verifyJSON.json["information"] as? [String] == [Self.information])
        #expect(verifyJSON.json["deep_checked"] as? Bool == true)
        let quiet = try CLIRunner.run(["verify", archive, "--deep", "--quiet"])
        #expect(quiet.status == 0 && !quiet.stderr.contains("information:"))

        let target = state.parent.appendingPathComponent("host/swarm")
        let restore = try CLIRunner.run(["restore", archive, "--state-dir", target.path, "--json"])
        #expect(restore.status == 0, "\(restore.stdout)\(restore.stderr)")
        #expect(restore.json["ok"] as? Bool == true)
        let check = try #require(restore.json["check"] as? [String: Any])
        #expect(check["passed"] as? Bool == true)
        #expect(check["information"] as? [String] == [Self.information])
        #expect(Self.occurrences(restore.stderr, Self.line) == 1)
        // Restored as backed up: the tasks are left for swarmkit to clean up.
        let objects = try CLIRunner.run(["inspect", "--json", "--state-dir", target.path]).json["objects"] as? [String: Any]
        #expect(objects?["tasks"] as? Int == 6)
        #expect(objects?["services"] as? Int == 1)
    }
}
