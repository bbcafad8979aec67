import Foundation
import SwarmTestSupport
import Testing

@Suite struct InspectCLITests {
    @Test("inspect --json agrees with swarmkit's reading", arguments: Fixtures.readManagers)
    func inspectJSON(scenario: String, node: String) throws {
        let folder = Fixtures.folder(scenario, node)
        let result = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path] + CLIRunner.keyArguments(scenario))
        #expect(result.status == 0, "\(result.stderr)")
        let report = result.json
        let expected = try Fixtures.expected(scenario)
        let golden = try Fixtures.golden(scenario, node)
        #expect(report["cluster_id"] as? String == expected["cluster_id"] as? String)
        #expect(report["node_id"] as? String == (expected["nodes"] as? [String: String])?[node])
        #expect(report["role"] as? String == "manager")
        let objects = try #require(report["objects"] as? [String: Int])
        for (kind, plural) in [("node", "nodes"), ("service", "services"), ("task", "tasks"), ("network", "networks"),
                               ("cluster", "clusters"), ("secret", "secrets"), ("config", "configs")] {
            #expect(objects[plural] == (golden[kind] as? [Any])?.count, "\(plural)")
        }
        let raft = try #require(report["raft"] as? [String: Any])
        let walEntries = try #require(golden["wal_entries"] as? [String: Any])
        #expect(raft["last_index"] as? Int == walEntries["last"] as? Int)
        #expect((raft["commit"] as? Int ?? 0) <= (raft["last_index"] as? Int ?? 0))
        let members = try #require(raft["members"] as? [[String: String]])
        let snapshotMembers = (golden["snapshot_members"] as? [String: Any])?["active"] as? [[String: String]] ?? []
        if !snapshotMembers.isEmpty {
            #expect(Set(members.map { $0["raft_id"] ?? "" }) == Set(snapshotMembers.map { $0["RaftID"] ?? "" }))
            #expect(raft["snapshot_index"] as? Int == (walEntries["first"] as? Int).map { $0 - 1 })
        } else {
            #expect(members.map { $0["node_id"] } == [(expected["nodes"] as? [String: String])?[node]])
        }
        let encryption = try #require(report["encryption"] as? [String: Any])
        #expect(encryption["algorithm"] as? String == ((expected["fips"] as? Bool) == true ? "fernet" : "secretbox"))
        #expect(encryption["locked"] as? Bool == (Fixtures.unlockKey(scenario) != nil))
        #expect(encryption["pending_dek"] as? Bool == false)
        let certificate = try #require(report["certificate"] as? [String: Any])
        #expect(certificate["node_id"] as? String == report["node_id"] as? String)
        #expect(certificate["cluster_id"] as? String == report["cluster_id"] as? String)
        #expect((certificate["root_ca_sha256"] as? String)?.count == 64)
    }

    @Test("a worker's folder is described, not an error", arguments: [
        ("ha-3mgr-snapshot", "worker-1"), ("ha-3mgr-snapshot", "worker-2"), ("autolock-3mgr", "worker-1"),
    ])
    func workerFolder(scenario: String, node: String) throws {
        let folder = Fixtures.folder(scenario, node)
        let result = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json["role"] as? String == "worker")
        #expect(result.json["raft"] == nil)
        #expect(result.json["node_id"] as? String == (try Fixtures.expected(scenario)["nodes"] as? [String: String])?[node])
        let text = try CLIRunner.run(["inspect", "--state-dir", folder.path])
        #expect(text.stdout.contains("worker"))
        let dump = try CLIRunner.run(["dump", "objects", "--state-dir", folder.path])
        #expect(dump.status == 1)
        #expect(dump.stderr.contains("worker"))
    }

    @Test func autolockedFolderNeedsTheKey() throws {
        let folder = Fixtures.folder("autolock-3mgr", "manager-2").path
        let key = try #require(Fixtures.unlockKey("autolock-3mgr"))
        let missing = try CLIRunner.run(["inspect", "--state-dir", folder])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("swarm-node.key"))
        #expect(missing.stderr.split(separator: "\n").count == 1)

        let wrongKey = "SWMKEY-1-" + Data(repeating: 7, count: 32).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let wrong = try CLIRunner.run(["inspect", "--state-dir", folder, "--unlock-key", wrongKey])
        #expect(wrong.status == 3)
        #expect(!wrong.stderr.contains(wrongKey) && !wrong.stdout.contains(wrongKey))

        let malformed = try CLIRunner.run(["inspect", "--state-dir", folder, "--unlock-key", "not-a-key"])
        #expect(malformed.status == 3)

        let viaEnv = try CLIRunner.run(["inspect", "--json", "--state-dir", folder], environment: ["SWARMSAFE_UNLOCK_KEY": key])
        #expect(viaEnv.status == 0, "\(viaEnv.stderr)")
        #expect(!viaEnv.stdout.contains(key))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        try (key + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let viaFile = try CLIRunner.run(["inspect", "--json", "--state-dir", folder, "--unlock-key-file", file.path])
        #expect(viaFile.status == 0, "\(viaFile.stderr)")
        #expect((viaFile.json["objects"] as? [String: Int])?["services"] == 5)
    }

    @Test func usageAndMissingFolders() throws {
        let usage = try CLIRunner.run(["inspect", "--no-such-flag"])
        #expect(usage.status == 2)
        let badKind = try CLIRunner.run(["dump", "objects", "widgets"])
        #expect(badKind.status == 2)
        let missing = try CLIRunner.run(["inspect", "--state-dir", "/nonexistent/swarm"])
        #expect(missing.status == 5)
        #expect(missing.stderr.contains("/nonexistent/swarm"))
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let notSwarm = try CLIRunner.run(["inspect", "--state-dir", empty.path])
        #expect(notSwarm.status == 5)
        #expect(notSwarm.stderr.contains("not a swarm state directory"))
        let help = try CLIRunner.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("inspect"))
    }

    @Test func stateFilesAreReported() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        let managers = try #require(plain.json["known_managers"] as? [[String: String]])
        #expect(managers.map { $0["node_id"] } == ["9boidup3dcx2vuk98n74xm4ri"])
        #expect(plain.json["docker_state"] == nil)

        let dockerState = #"{"ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"10.0.0.5:2377","DataPathPort":4789,"JoinInProgress":false}"#
        try Data(dockerState.utf8).write(to: folder.appendingPathComponent("docker-state.json"))
        let withDocker = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        let docker = try #require(withDocker.json["docker_state"] as? [String: Any])
        #expect(docker["AdvertiseAddr"] as? String == "10.0.0.5:2377")
        #expect(docker["DataPathPort"] as? Int == 4789)

        try Data("{not json".utf8).write(to: folder.appendingPathComponent("docker-state.json"))
        let broken = try CLIRunner.run(["inspect", "--state-dir", folder.path])
        #expect(broken.status == 4)
        #expect(broken.stderr.contains("docker-state.json"))
    }
}
