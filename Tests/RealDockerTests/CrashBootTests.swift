import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// The crash-injection tests (SwarmSafeCLITests' StateCrashTests) judge every kill with our
    /// own reader and the embedded manager; here real dockerd boots a sample of what the kills
    /// left of a Docker-made swarm: a `restore --force` of its own backup killed before it
    /// exchanges the folders (the old state at the target, the new one complete beside it) and
    /// before its last step (the new state in place), and a `key lock` killed once the locked
    /// state is in place, which must open with the key file the killed run wrote. (`recover
    /// --force-new-cluster` of a swarm that has one manager already changes nothing, so it
    /// would have no step to kill.)
    @Suite struct CrashBoot {
        /// The numbered file-system steps of one uninterrupted run (debug builds' step log).
        static func steps(_ arguments: [String], scratch: URL) throws -> [(number: Int, operation: String)] {
            let log = scratch.appendingPathComponent("steps-\(UUID().uuidString.prefix(8))")
            try SwarmsafeCLI.expectSuccess(arguments, environment: ["SWARMSAFE_STEP_LOG": log.path])
            return try String(contentsOf: log, encoding: .utf8).split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count >= 2, let number = Int(parts[0]) else { return nil }
                return (number, String(parts[1]))
            }
        }

        static func killed(_ arguments: [String], beforeStep number: Int) throws {
            let result = try SwarmsafeCLI.run(arguments, environment: ["SWARMSAFE_KILL_AT": "step:\(number)"])
            #expect(!result.succeeded, "not killed before step \(number): \(result)")
        }

        static func replace(_ folder: URL, with pristine: URL) throws {
            _ = try? FileManager.default.removeItem(at: folder)
            let parent = folder.deletingLastPathComponent()
            for name in try FileManager.default.contentsOfDirectory(atPath: parent.path) where name.hasPrefix(".swarm.") || name.hasPrefix("swarm.") {
                try FileManager.default.removeItem(at: parent.appendingPathComponent(name))
            }
            let copy = try BoundedCommand.run("/bin/cp", ["-a", pristine.path, folder.path], timeout: 60)
            guard copy.succeeded else { throw HarnessError.commandFailed(copy) }
        }

        static func expectWholeSwarm(_ engine: DockerEngine, _ context: String) throws {
            try waitActiveManager(engine)
            #expect(try names(engine, "secret") == ["kept"], "\(context)")
            try waitRunning(engine, "web", "1/1")
            show("dockerd after \(context)", try engine.docker(["node", "ls"]).stdout)
        }

        @Test func killedRestoreAndKeyLockLeaveStatesDockerdBoots() throws {
            try withLab { lab in
                let engine = try lab.engine("crashed")
                try makeSmallSwarm(engine)
                let folder = engine.stateDirectory
                let scratch = try temporaryFolder("crash-boot")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let pristine = scratch.appendingPathComponent("pristine")
                let copy = try BoundedCommand.run("/bin/cp", ["-a", folder.path, pristine.path], timeout: 60)
                guard copy.succeeded else { throw HarnessError.commandFailed(copy) }

                // restore --force of its own backup: killed before the exchange, then before its
                // last step.
                let repo = scratch.appendingPathComponent("repo")
                let backup = try SwarmsafeCLI.expectSuccess(["backup", "--state-dir", folder.path, "--repo", repo.path, "--json", "--quiet"])
                let archive = try #require(backup.json["archive"] as? String)
                let restore = ["restore", archive, "--state-dir", folder.path, "--force"]
                let restoreSteps = try Self.steps(restore, scratch: scratch)
                let exchange = try #require(restoreSteps.first { $0.operation == "exchange" }?.number)
                let last = try #require(restoreSteps.last?.number)
                for (step, context) in [(exchange, "restore killed before the exchange"), (last, "restore killed before its last step")] {
                    try Self.replace(folder, with: pristine)
                    try Self.killed(restore, beforeStep: step)
                    try engine.start()
                    try Self.expectWholeSwarm(engine, context)
                    engine.stop()
                }

                // key lock: killed before its last step, the locked state in place.
                let keyFile = scratch.appendingPathComponent("new.key")
                let lock = ["key", "lock", "--state-dir", folder.path, "--new-key-file", keyFile.path]
                try Self.replace(folder, with: pristine)
                let lockSteps = try Self.steps(lock, scratch: scratch)
                try FileManager.default.removeItem(at: keyFile)
                try Self.replace(folder, with: pristine)
                try Self.killed(lock, beforeStep: try #require(lockSteps.last?.number))
                let key = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                try engine.start()
                try waitUntil("\(engine.name) locked", timeout: 30) {
                    try engine.swarmInfo()["LocalNodeState"] as? String == "locked"
                }
                try engine.docker(["swarm", "unlock"], input: Data((key + "\n").utf8))
                try Self.expectWholeSwarm(engine, "key lock killed before its last step, unlocked with the key file it wrote")
                engine.stop()
            }
        }
    }
}
