import Foundation
import SwarmTestSupport
import Synchronization

/// Runs the built `swarmsafe` binary the way an operator or a playbook does.
struct CLIRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Killed by the signal `status` holds rather than exited with it.
        var signaled = false

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
        }
        var lines: [[String: Any]] {
            stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
        }
    }

    /// The test bundle sits next to the products it was built with.
    static let binary: URL = {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("swarmsafe")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        // `swift test` runs the bundle from .build/<triple>/debug.
        return bundleDirectory.appendingPathComponent("swarmsafe")
    }()

    /// With `killAfter`, the process is sent SIGKILL after that many seconds if it is still
    /// running (a crash test's kill by time).
    static func run(_ arguments: [String], environment: [String: String] = [:], killAfter: Double? = nil) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SWARMSAFE_UNLOCK_KEY")
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let finished = RunEnded()
        if let killAfter {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + killAfter) {
                // Only while this run has not been seen to end: the pid is still ours then.
                finished.state.withLock { done in if !done { kill(pid, SIGKILL) } }
            }
        }
        // Read both pipes before waiting so a large dump cannot fill a pipe and block.
        let stdoutBox = DataBox()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            stdoutBox.data = out.fileHandleForReading.readDataToEndOfFile()
        }
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        finished.state.withLock { $0 = true }
        let stdoutData = stdoutBox.data
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self), signaled: process.terminationReason == .uncaughtSignal)
    }

    /// `--unlock-key` arguments for a fixture scenario that needs one.
    static func keyArguments(_ scenario: String) -> [String] {
        Fixtures.unlockKey(scenario).map { ["--unlock-key", $0] } ?? []
    }
}

/// Whether a run has been seen to end, shared with the timer that may kill it.
private final class RunEnded: Sendable {
    let state = Mutex(false)
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}
