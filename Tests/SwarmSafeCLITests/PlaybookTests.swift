import Foundation
import SwarmTestSupport
import Testing

/// The Ansible playbooks, run for real against localhost by `playbooks/tests/run.sh` with the
/// binary under test: nightly backups (systemd units, cron entry, retention, metrics, verify,
/// a second run that changes nothing), quorum-loss recovery on the real 3-manager fixture (the
/// manager with the most recent state is chosen; a surviving quorum is refused), migration to
/// a new address (encrypted transfer, autolocked swarm), and ansible-lint (profile production).
/// ansible-core and ansible-lint come from `.venv-ansible/` (scripts/install-system-packages.sh);
/// the script installs them when missing and exits 77 only when that is impossible, which
/// skips this test.
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
        if process.terminationStatus == 77 {
            try Test.cancel("skipped: \(text.split(separator: "\n").last ?? "ansible-core/ansible-lint cannot be installed")")
        }
        #expect(process.terminationStatus == 0, "\(text.suffix(3000))")
        #expect(text.contains("ansible-lint (production) clean"))
    }
}
