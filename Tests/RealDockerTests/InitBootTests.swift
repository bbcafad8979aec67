import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// `swarmsafe init` writes a state directory from nothing; dockerd must boot it as the
    /// swarm `docker swarm init` would have made.
    @Suite struct Init {
        /// `swarmsafe init` into `engine`'s (stopped) data root, on the engine's own address.
        static func initialize(_ engine: DockerEngine, _ extra: [String] = []) throws -> [String: Any] {
            try FileManager.default.createDirectory(at: engine.dataRoot, withIntermediateDirectories: true)
            return try SwarmsafeCLI.expectSuccess([
                "init", "--state-dir", engine.stateDirectory.path, "--advertise-addr", engine.address,
                "--listen-addr", engine.address, "--hostname", engine.name, "--json",
            ] + extra).json
        }

        /// The swarm runs a service from it, and it is the cluster init made.
        static func expectWorkingSwarm(_ engine: DockerEngine, made created: [String: Any]) throws {
            let info = try engine.swarmInfo()
            #expect((info["Cluster"] as? [String: Any])?["ID"] as? String == created["cluster_id"] as? String)
            #expect(info["NodeID"] as? String == created["node_id"] as? String)
            #expect((info["RemoteManagers"] as? [[String: Any]])?.compactMap { $0["Addr"] as? String } == [engine.address])
            try engine.importBusybox()
            try engine.docker(["service", "create", "--detach", "--name", "web", "--replicas", "1", DockerEngine.busybox, "sleep", "1d"])
            try waitRunning(engine, "web", "1/1")
            let joinCommand = try engine.docker(["swarm", "join-token", "manager"]).stdout
            let token = (created["join_tokens"] as? [String: String])?["manager"] ?? "?"
            #expect(joinCommand.contains("--token \(token) \(engine.address)"))
            show("docker node ls / service ls on a state written by swarmsafe init",
                try engine.docker(["node", "ls"]).stdout + (try engine.docker(["service", "ls"]).stdout))
        }

        @Test func plainInitBootsAsAnActiveSwarmAndRunsAService() throws {
            try withLab { lab in
                let engine = try lab.engine("init-plain", start: false)
                let created = try Self.initialize(engine)
                try engine.start()
                try waitActiveManager(engine)
                try Self.expectWorkingSwarm(engine, made: created)
            }
        }

        @Test func autolockedInitBootsLockedAndOpensWithItsKeyOnly() throws {
            try withLab { lab in
                let engine = try lab.engine("init-autolock", start: false)
                let created = try Self.initialize(engine, ["--autolock"])
                let key = try #require(created["unlock_key"] as? String)
                try engine.start()
                try waitUntil("\(engine.name) locked", timeout: 30) {
                    try engine.swarmInfo()["LocalNodeState"] as? String == "locked"
                }
                let wrong = try engine.tryDocker(["swarm", "unlock"], input: Data("SWMKEY-1-\(String(repeating: "A", count: 43))\n".utf8))
                #expect(!wrong.succeeded)
                #expect(try engine.swarmInfo()["LocalNodeState"] as? String == "locked")
                try engine.docker(["swarm", "unlock"], input: Data((key + "\n").utf8))
                try waitActiveManager(engine)
                #expect(try engine.docker(["swarm", "unlock-key", "-q"]).lines == [key])
                try Self.expectWorkingSwarm(engine, made: created)
                show("docker swarm unlock with a wrong key", wrong.stderr)
            }
        }

        /// Docker 20.10 never turns on swarmkit's FIPS mode (Docker has no `--fips`), so it
        /// refuses every FIPS cluster, swarmkit's own included: the judge for `init --fips` is
        /// swarmkit (`swarmd --fips`, the fixtures' source), not this daemon. What dockerd
        /// must do is refuse it in so many words and leave the folder as it was.
        @Test func fipsInitIsRefusedByDocker2010AsNotFIPSEnabled() throws {
            try withLab { lab in
                let engine = try lab.engine("init-fips", start: false)
                let created = try Self.initialize(engine, ["--fips"])
                #expect((created["cluster_id"] as? String)?.hasPrefix("FIPS.") == true)
                let before = try SwarmsafeCLI.expectSuccess(["inspect", "--json", "--state-dir", engine.stateDirectory.path]).json
                try engine.start()
                try waitUntil("\(engine.name) reports its swarm error", timeout: 30) {
                    try engine.swarmInfo()["LocalNodeState"] as? String == "error"
                }
                let info = try engine.swarmInfo()
                #expect(info["Error"] as? String == "node is not FIPS-enabled but cluster requires FIPS")
                engine.stop()
                let after = try SwarmsafeCLI.expectSuccess(["inspect", "--json", "--state-dir", engine.stateDirectory.path]).json
                #expect(after["cluster_id"] as? String == before["cluster_id"] as? String)
                #expect((after["raft"] as? [String: Any])?["last_index"] as? Int == (before["raft"] as? [String: Any])?["last_index"] as? Int)
                show("dockerd 20.10 on a FIPS state", "\(info["LocalNodeState"] ?? "?"): \(info["Error"] ?? "?")")
            }
        }
    }
}
