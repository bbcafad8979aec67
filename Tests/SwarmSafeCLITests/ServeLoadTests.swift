import Foundation
import SwarmTestSupport
import Testing

/// A short, bounded run of `Benchmarks/serve_load.py` (the benchmark itself runs for longer,
/// outside the suite): `serve` under concurrent writing clients answers every request with
/// success or Docker's own conflict, and loses no acknowledged write. Its timings are printed,
/// never asserted.
@Suite struct ServeLoadTests {
    @Test("8 clients writing at once for 3 s: no error, every acknowledged create is there")
    func concurrentWritersLoseNothing() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let script = Fixtures.sourceDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/serve_load.py").path
        let python = try #require(
            ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "no python3: run scripts/install-system-packages.sh")
        let result = try ChildProcess.run(
            python, [script, "--bin", CLIRunner.binary.path, "--state-dir", folder.path, "--writers", "8", "--seconds", "3"],
            environment: ProcessInfo.processInfo.environment, stdin: nil, timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("errors: 0; lost: 0"), "\(result.stdout)")
        let acknowledged = result.stdout.split(separator: "\n").first { $0.hasPrefix("writes acknowledged: ") }
        let count = acknowledged.flatMap { Int($0.dropFirst("writes acknowledged: ".count).prefix { $0.isNumber }) } ?? 0
        #expect(count > 0, "\(result.stdout)")
    }
}
