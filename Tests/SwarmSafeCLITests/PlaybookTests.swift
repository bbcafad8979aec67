import Foundation
import SwarmTestSupport
import Testing

/// The Ansible playbooks, run for real against localhost by `playbooks/tests/run.sh` with the
/// binary under test: nightly backups (systemd and cron), quorum-loss recovery on the real
/// 3-manager fixture, migration to a new address, and ansible-lint.
@Suite struct PlaybookTests {
    @Test func everyPlaybookRunsAndLeavesWhatItPromises() throws {
        let script = Fixtures.sourceDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("playbooks/tests/run.sh")
        let process = Process()
        process.executableURL = script
        process.arguments = [CLIRunner.binary.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text.suffix(3000))")
        #expect(text.contains("ansible-lint (production) clean"))
    }
}
