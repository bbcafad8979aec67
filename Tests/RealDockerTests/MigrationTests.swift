import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// Restores and address moves, judged by the real daemon that boots them.
    @Suite struct Migration {
        /// A small real cluster's worth of objects on `engine`: a service that really runs,
        /// one that cannot (its image is nowhere), a secret, a config, an overlay network.
        static func populate(_ engine: DockerEngine) throws {
            try engine.importBusybox()
            try engine.docker(["network", "create", "--driver", "overlay", "backend"])
            try engine.docker(["secret", "create", "db-password", "-"], input: Data("s3cret".utf8))
            try engine.docker(["config", "create", "app-config", "-"], input: Data("debug=false".utf8))
            try engine.docker([
                "service", "create", "--detach", "--name", "web", "--replicas", "2", "--secret", "db-password",
                "--config", "app-config", DockerEngine.busybox, "sleep", "1d",
            ])
            try waitRunning(engine, "web")
        }

        /// Everything the operator expects back, as the docker CLI lists it.
        static func objects(_ engine: DockerEngine) throws -> [String: [String]] {
            [
                "services": try names(engine, "service"),
                "secrets": try names(engine, "secret"),
                "configs": try names(engine, "config"),
                "networks": try names(engine, "network", filter: ["--filter", "scope=swarm"]),
            ]
        }

        static func backup(_ engine: DockerEngine, into repo: URL) throws -> String {
            let result = try SwarmsafeCLI.expectSuccess([
                "backup", "--state-dir", engine.stateDirectory.path, "--repo", repo.path, "--json", "--quiet",
            ])
            guard let archive = result.json["archive"] as? String else {
                throw HarnessError.unexpected("backup --json names no archive: \(result.stdout)")
            }
            return archive
        }

        /// The join command `docker swarm join-token ROLE` prints, as words.
        static func printedJoinCommand(_ engine: DockerEngine, _ role: String) throws -> [String] {
            let text = try engine.docker(["swarm", "join-token", role]).stdout
            guard let line = text.split(separator: "\n").first(where: { $0.contains("docker swarm join") }) else {
                throw HarnessError.unexpected("no join command in:\n\(text)")
            }
            return line.split(separator: " ").map(String.init).filter { !$0.isEmpty }
        }

        /// Runs a printed join command on `engine` exactly as printed; only the joining node's
        /// own addresses are added (each test daemon has a loopback address of its own).
        static func join(_ engine: DockerEngine, with printed: [String]) throws {
            guard printed.starts(with: ["docker", "swarm", "join"]) else {
                throw HarnessError.unexpected("not a join command: \(printed)")
            }
            try engine.docker(
                Array(printed.dropFirst()) + ["--advertise-addr", engine.address, "--listen-addr", engine.address])
        }

        static func dockerState(_ engine: DockerEngine) throws -> [String: Any] {
            let data = try Data(contentsOf: engine.stateDirectory.appendingPathComponent("docker-state.json"))
            return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        }

        static func stateJSON(_ engine: DockerEngine) throws -> String {
            try String(contentsOf: engine.stateDirectory.appendingPathComponent("state.json"), encoding: .utf8)
        }

        /// Every place Docker shows a manager's address agrees on `address`, and no place
        /// still names `oldIP`; `others` are the managers that joined since.
        static func expectAddress(
            _ engine: DockerEngine, is address: String, notIP oldIP: String, others: [DockerEngine] = []
        ) throws {
            let info = try engine.swarmInfo()
            #expect(info["NodeAddr"] as? String == engine.ip)
            let remotes = (info["RemoteManagers"] as? [[String: Any]] ?? []).compactMap { $0["Addr"] as? String }
            #expect(remotes.sorted() == ([address] + others.map(\.address)).sorted())
            let managerAddr = try engine.docker(["node", "inspect", "self", "--format", "{{.ManagerStatus.Addr}}"]).lines
            #expect(managerAddr == [address])
            for role in ["manager", "worker"] {
                let printed = try printedJoinCommand(engine, role)
                #expect(printed.last == address)
            }
            let state = try dockerState(engine)
            #expect(state["AdvertiseAddr"] as? String == address)
            #expect(state["ListenAddr"] as? String == address)
            #expect(state["LocalAddr"] as? String == engine.ip)
            #expect(try stateJSON(engine).contains("\"\(address)\""))
            #expect(!(try stateJSON(engine).contains(oldIP + ":")))
            show("docker info on \(engine.name)", "NodeAddr \(info["NodeAddr"] ?? "?"), RemoteManagers \(remotes)")
        }

        @Test func restoreOntoANewHostMovesEveryAddressAndTheNewClusterTakesJoins() throws {
            try withLab { lab in
                let repo = try temporaryFolder("repo")
                defer { try? FileManager.default.removeItem(at: repo) }
                let old = try lab.engine("old-host")
                try old.swarmInit()
                try Self.populate(old)
                let before = try Self.objects(old)
                let archive = try Self.backup(old, into: repo)
                old.stop()  // the old host is gone for good

                let new = try lab.engine("new-host", start: false)
                // A fresh host: not even /var/lib/docker exists yet; restore creates it.
                #expect(!FileManager.default.fileExists(atPath: new.dataRoot.path))
                let restore = try SwarmsafeCLI.expectSuccess([
                    "restore", archive, "--state-dir", new.stateDirectory.path, "--force-new-cluster",
                    "--advertise-addr", new.address,
                ])
                show("swarmsafe restore --force-new-cluster --advertise-addr \(new.address)", restore.stdout)
                try new.start()
                try waitActiveManager(new)
                try new.importBusybox()
                try Self.expectAddress(new, is: new.address, notIP: old.ip)
                #expect(try Self.objects(new) == before)
                try waitRunning(new, "web")

                // A fresh daemon joins as manager with exactly the printed command, a worker too.
                let manager2 = try lab.engine("manager-2")
                try Self.join(manager2, with: try Self.printedJoinCommand(new, "manager"))
                let worker = try lab.engine("worker-1")
                try Self.join(worker, with: try Self.printedJoinCommand(new, "worker"))
                try waitUntil("three nodes ready, two managers", timeout: 90, every: 0.5) {
                    let rows = try new.docker(["node", "ls", "--format", "{{.Status}} {{.ManagerStatus}}"]).lines
                    return rows.count == 3 && rows.allSatisfy { $0.hasPrefix("Ready") }
                        && rows.filter { $0.hasSuffix("Leader") || $0.hasSuffix("Reachable") }.count == 2
                }
                show("docker node ls after the joins", try new.docker(["node", "ls"]).stdout)

                // All three survive a restart, the new address included.
                for engine in [worker, manager2, new] { engine.stop() }
                for engine in [new, manager2, worker] { try engine.start() }
                try waitActiveManager(new, timeout: 90)
                try waitUntil("three nodes ready again", timeout: 90, every: 0.5) {
                    try new.docker(["node", "ls", "--format", "{{.Status}}"]).lines == ["Ready", "Ready", "Ready"]
                }
                try Self.expectAddress(new, is: new.address, notIP: old.ip, others: [manager2])
                #expect(try Self.objects(new) == before)
                show("docker node ls after restarting all three", try new.docker(["node", "ls"]).stdout)
            }
        }
    }
}
