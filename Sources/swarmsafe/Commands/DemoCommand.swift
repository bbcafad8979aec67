import ArgumentParser
import Foundation
import SwarmDemo

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole job on this machine, no Docker daemon needed: create, deploy, back up, lose, restore, check.",
        discussion: """
            In a temporary folder: `init` an autolocked swarm on an "old host", deploy a \
            stack through the embedded manager (services, a secret, a config, an overlay \
            network; with `docker stack deploy` through `swarmsafe serve` when the docker \
            CLI is installed), take an age-encrypted backup and verify it, lose the old host, \
            `restore --force-new-cluster --advertise-addr` onto a "new host", `check` it, \
            and — when the docker CLI is installed — show `docker service ls` against the \
            restored cluster through `swarmsafe serve`. Each step is narrated with its time; \
            the last line is the verdict.

            Exit codes: 0 the demo passed, 1 a step failed.
            """
    )

    @Option(help: ArgumentHelp("Folder to work in, created when missing (default: a new temporary folder).", valueName: "dir"))
    var workDir: String?

    @Flag(help: "Keep the demo folder (keys, backup, both hosts) to look at afterwards.")
    var keep = false

    @Flag(help: "Skip the docker CLI step even when docker is installed.")
    var noDocker = false

    func run() throws {
        let root = try workDir ?? makeTemporaryFolder()
        if let workDir { try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true) }
        let runner = DemoRunner(
            root: root, executable: Self.ownExecutable(), docker: noDocker ? nil : Self.dockerCLI(), logger: Log.make(quiet: true))
        print("swarmsafe demo in \(root)\n")
        var succeeded = false
        defer {
            if !keep && workDir == nil && succeeded { try? FileManager.default.removeItem(atPath: root) }
        }
        let outcome: DemoRunner.Outcome
        do {
            outcome = try runner.run { step in
                print("[\(step.number)] \(step.title)  (\(String(format: "%.2f", step.seconds)) s)")
                for line in step.lines { print("    \(line)") }
                print("")
            }
        } catch {
            print("FAIL: \(SwarmSafe.oneLine(error)); the demo folder is kept at \(root)")
            throw ExitCode(ExitStatus.failure.rawValue)
        }
        print("\(outcome.verdict)  (\(String(format: "%.1f", outcome.seconds)) s in all)")
        if keep || workDir != nil { print("the demo folder is kept at \(root)") }
        succeeded = outcome.passed
        if !outcome.passed { throw ExitCode(ExitStatus.failure.rawValue) }
    }

    private func makeTemporaryFolder() throws -> String {
        var template = Array(((NSTemporaryDirectory() as NSString).appendingPathComponent("swarmsafe-demo-XXXXXX")).utf8CString)
        guard let made = mkdtemp(&template) else { throw CommandError("cannot create a temporary folder") }
        return String(cString: made)
    }

    static func ownExecutable() -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first
    }

    /// The docker CLI from PATH, or where these machines keep it.
    static func dockerCLI() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/docker" } + ["/usr/local/bin/docker", "/usr/bin/docker"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
