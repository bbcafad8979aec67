import Foundation
import Testing

/// The README's main job, as a test: the demo must pass on this machine.
@Suite struct DemoCLITests {
    @Test func theDemoPassesAndCleansUp() throws {
        let work = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try CLIRunner.run(["demo", "--work-dir", work.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("PASS: the backup restored on a new host at 192.0.2.20"))
        for step in ["swarmsafe init", "swarmsafe backup", "verify --deep", "restore --force-new-cluster", "swarmsafe check"] {
            #expect(result.stdout.contains(step))
        }
        // The secrets it made are in files, never on the screen.
        let unlockKey = try String(contentsOf: work.appendingPathComponent("unlock.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(unlockKey.hasPrefix("SWMKEY-1-"))
        #expect(!result.stdout.contains(unlockKey))
        #expect(!result.stdout.contains("AGE-SECRET-KEY"))
        // The old host was moved aside, not deleted.
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("old-host/swarm.lost").path))
    }
}
