import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// Backups taken while a real manager is busy: each must verify, restore with the default
    /// check, and boot in dockerd with exactly what it holds.
    @Suite struct HotBackup {
        /// Creates, updates and removes services, secrets, configs and networks on `engine`
        /// until stopped or `limit` rounds are done: what a busy production manager does while
        /// the nightly backup runs (removed services leave tasks at desired state REMOVE
        /// behind until swarmkit's reaper comes).
        final class Churn: @unchecked Sendable {
            private let lock = NSLock()
            private var stopped = false
            private(set) var rounds = 0
            private(set) var failures: [String] = []
            private let done = DispatchSemaphore(value: 0)

            func start(on engine: DockerEngine, limit: Int) {
                Thread { [self] in
                    defer { done.signal() }
                    for i in 0..<limit where !lock.withLock({ stopped }) {
                        let commands: [[String]] = [
                            ["service", "create", "--detach", "--name", "churn-\(i)", "--replicas", "1", DockerEngine.busybox, "sleep", "1d"],
                            ["secret", "create", "churn-secret-\(i)", "-"],
                            ["config", "create", "churn-config-\(i)", "-"],
                            ["network", "create", "--driver", "overlay", "churn-net-\(i)"],
                        ] + (i >= 1 ? [["service", "update", "--detach", "--env-add", "ROUND=\(i)", "churn-\(i - 1)"]] : [])
                            + (i >= 2 ? [
                                ["service", "rm", "churn-\(i - 2)"], ["secret", "rm", "churn-secret-\(i - 2)"],
                                ["network", "rm", "churn-net-\(i - 2)"],
                            ] : [])
                        for command in commands {
                            let input = command[1] == "create" && command.last == "-" ? Data("payload \(i)".utf8) : nil
                            do {
                                let result = try engine.tryDocker(command, timeout: 60, input: input)
                                if !result.succeeded { lock.withLock { failures.append(result.description) } }
                            } catch {
                                lock.withLock { failures.append("\(error)") }
                            }
                        }
                        lock.withLock { rounds = i + 1 }
                    }
                }.start()
            }

            func stop() {
                lock.withLock { stopped = true }
                _ = done.wait(timeout: .now() + 120)
            }
        }

        /// Names per kind as our reader reads a folder written by real swarmkit (its reading
        /// is checked against swarmkit's own decoder by the fixture tests). Docker stores its
        /// local `bridge` and `host` networks in the swarm store too, labelled predefined;
        /// `docker network ls` shows them as local networks, not swarm ones.
        static func archivedObjects(_ folder: URL) throws -> [String: [String]] {
            var result: [String: [String]] = [:]
            for (kind, key) in [("service", "services"), ("secret", "secrets"), ("config", "configs"), ("network", "networks")] {
                let dump = try SwarmsafeCLI.expectSuccess(["dump", "objects", kind, "--state-dir", folder.path])
                result[key] = dump.stdout.split(separator: "\n").compactMap { line -> String? in
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                        let spec = object["spec"] as? [String: Any], let annotations = spec["annotations"] as? [String: Any]
                    else { return nil }
                    let labels = annotations["labels"] as? [String: String] ?? [:]
                    if kind == "network" && labels["com.docker.swarm.predefined"] == "true" { return nil }
                    return annotations["name"] as? String
                }.sorted()
            }
            return result
        }

        @Test func busyManagerBackupsVerifyRestoreAndBootWithExactlyTheirObjects() throws {
            try withLab { lab in
                let repo = try temporaryFolder("hot-repo")
                defer { try? FileManager.default.removeItem(at: repo) }
                let live = try lab.engine("busy")
                try live.swarmInit()
                try live.importBusybox()
                try live.docker(["service", "create", "--detach", "--name", "steady", "--replicas", "2", DockerEngine.busybox, "sleep", "1d"])
                try waitRunning(live, "steady")

                let churn = Churn()
                churn.start(on: live, limit: 40)
                var archives: [String] = []
                for _ in 0..<4 {
                    usleep(1_500_000)
                    archives.append(try Migration.backup(live, into: repo))
                }
                churn.stop()
                #expect(churn.failures.isEmpty, "\(churn.failures.joined(separator: "\n"))")
                #expect(churn.rounds >= 3)
                live.stop()

                let restored = try lab.engine("restored", start: false)
                var removedServiceTasks = 0
                for archive in archives {
                    let verify = try SwarmsafeCLI.run(["verify", archive, "--deep", "--json"])
                    #expect(verify.succeeded, "\(verify)")
                    if verify.stderr.contains("tasks of removed services") { removedServiceTasks += 1 }

                    restored.stop()
                    let restore = try SwarmsafeCLI.run(["restore", archive, "--state-dir", restored.stateDirectory.path, "--force"])
                    #expect(restore.succeeded, "\(restore)")
                    guard restore.succeeded else { continue }
                    let expected = try Self.archivedObjects(restored.stateDirectory)
                    #expect(expected["services"]?.contains("steady") == true)
                    try restored.start()
                    if archive == archives.first { try restored.importBusybox() }
                    try waitActiveManager(restored)
                    let booted = try Migration.objects(restored)
                    #expect(booted == expected, "\(archive): dockerd shows \(booted), the archive holds \(expected)")
                    try waitRunning(restored, "steady")
                    show("\((archive as NSString).lastPathComponent) in dockerd", try restored.docker(["service", "ls"]).stdout)
                }
                show("hot backups", "\(archives.count) archives over \(churn.rounds) rounds of churn; \(removedServiceTasks) held tasks of removed services")
            }
        }
    }
}
