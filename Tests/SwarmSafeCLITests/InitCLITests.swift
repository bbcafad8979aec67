import Foundation
import SwarmTestSupport
import Testing

/// `swarmsafe init` end to end: the folder it creates reads back, with our own `inspect` and
/// `dump`, like the folder real swarmkit left in the `fresh-init` fixtures.
@Suite struct InitCLITests {
    /// The fixture's address and hostname, so that even the node object can be compared.
    static let reference = Fixtures.folder("fresh-init", "manager-1")
    static let referenceAddress = "127.0.0.1:44605"

    static func newTarget() -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("swarmsafe-init-\(UUID().uuidString.prefix(8))")
            .appendingPathComponent("swarm")
    }

    /// Each target holds a preallocated 64 MB WAL segment: never leave one behind.
    static func cleanUp(_ targets: URL...) {
        for target in targets { try? FileManager.default.removeItem(at: target.deletingLastPathComponent()) }
    }

    static func initialize(_ target: URL, _ extra: [String] = []) throws -> CLIRunner.Result {
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        return try CLIRunner.run(
            ["init", "--state-dir", target.path, "--advertise-addr", referenceAddress, "--hostname", "manager-1"] + extra)
    }

    /// Objects of a kind, as `dump objects` prints them, by ID order.
    static func objects(_ kind: String, _ folder: URL, key: String? = nil) throws -> [[String: Any]] {
        let result = try CLIRunner.run(
            ["dump", "objects", kind, "--reveal-secrets", "--state-dir", folder.path] + (key.map { ["--unlock-key", $0] } ?? []))
        #expect(result.status == 0, "\(result.stderr)")
        return result.lines
    }

    /// Canonical JSON of an object without the fields that are random or time-stamped.
    static func canonical(_ object: [String: Any], dropping paths: [[String]]) throws -> String {
        var copy = object
        for path in paths { remove(path[...], from: &copy) }
        return String(decoding: try JSONSerialization.data(withJSONObject: copy, options: [.sortedKeys]), as: UTF8.self)
    }

    private static func remove(_ path: ArraySlice<String>, from object: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            object.removeValue(forKey: head)
        } else if var child = object[head] as? [String: Any] {
            remove(path.dropFirst(), from: &child)
            object[head] = child
        } else if let list = object[head] as? [[String: Any]] {
            object[head] = list.map { item -> [String: Any] in
                var item = item
                remove(path.dropFirst(), from: &item)
                return item
            }
        }
    }

    /// Relative path → mode, for every file and directory under `root`.
    static func modes(_ root: URL) throws -> [String: Int] {
        var result: [String: Int] = [:]
        let paths = try #require(FileManager.default.subpathsOfDirectory(atPath: root.path) as [String]?)
        for path in paths + [""] {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)
            result[path] = (attributes[.posixPermissions] as? Int) ?? -1
        }
        return result
    }

    /// Relative path → contents (directories empty), to prove a folder did not change.
    static func tree(_ root: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: root.path) {
            let url = root.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            result[path] = isDirectory.boolValue ? Data() : try Data(contentsOf: url)
        }
        return result
    }

    @Test func initThenInspect() throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        let created = try Self.initialize(target, ["--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let report = created.json
        let clusterID = try #require(report["cluster_id"] as? String)
        let nodeID = try #require(report["node_id"] as? String)
        let raftID = try #require(report["raft_id"] as? String)
        #expect(report["unlock_key"] == nil)
        #expect(report["encryption"] as? String == "secretbox")

        let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", target.path])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let json = inspect.json
        #expect(json["role"] as? String == "manager")
        #expect(json["cluster_id"] as? String == clusterID)
        #expect(json["node_id"] as? String == nodeID)
        #expect((json["warnings"] as? [Any])?.isEmpty == true)
        let raft = try #require(json["raft"] as? [String: Any])
        #expect(raft["members"] as? [[String: String]] == [["node_id": nodeID, "raft_id": raftID, "addr": Self.referenceAddress]])
        #expect(raft["raft_id"] as? String == raftID)
        #expect(raft["vote"] as? String == raftID)
        #expect(raft["term"] as? Int == 2 && raft["commit"] as? Int == 7 && raft["last_index"] as? Int == 7)
        #expect(raft["layout"] as? String == "wal-v3-encrypted")
        #expect(raft["wal_segments"] as? [String] == ["0000000000000000-0000000000000000.wal"])
        let objects = try #require(json["objects"] as? [String: Int])
        #expect(objects == ["clusters": 1, "nodes": 1, "networks": 1, "services": 0, "tasks": 0, "secrets": 0,
                            "configs": 0, "resources": 0, "extensions": 0, "volumes": 0])
        let encryption = try #require(json["encryption"] as? [String: Any])
        #expect(encryption["algorithm"] as? String == "secretbox")
        #expect(encryption["locked"] as? Bool == false)
        #expect(encryption["kek_version"] as? Int == 0)
        #expect(json["known_managers"] as? [[String: String]] == [["node_id": nodeID, "addr": Self.referenceAddress]])
        let certificate = try #require(json["certificate"] as? [String: Any])
        #expect(certificate["chains_to_root"] as? Bool == true)
        #expect(certificate["role"] as? String == "manager")
        #expect(certificate["issuer"] as? String == "CN=swarm-ca")
        let formatter = ISO8601DateFormatter()
        let notBefore = try #require((certificate["not_before"] as? String).flatMap(formatter.date(from:)))
        let notAfter = try #require((certificate["not_after"] as? String).flatMap(formatter.date(from:)))
        #expect(notAfter.timeIntervalSince(notBefore) == 90 * 86_400 + 3600)
        #expect(abs(notBefore.timeIntervalSinceNow + 3600) < 120)
    }

    /// The store objects equal swarmkit's, field for field, once random and time-stamped
    /// fields are set aside.
    @Test func objectsMatchSwarmkit() throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        let created = try Self.initialize(target)
        #expect(created.status == 0, "\(created.stderr)")

        let clusterRandom = [["id"], ["meta", "createdAt"], ["meta", "updatedAt"], ["rootCa", "caKey"], ["rootCa", "caCert"],
                             ["rootCa", "caCertHash"], ["rootCa", "joinTokens"], ["networkBootstrapKeys", "key"],
                             ["networkBootstrapKeys", "lamportTime"], ["encryptionKeyLamportClock"]]
        let ours = try #require(try Self.objects("cluster", target).first)
        let theirs = try #require(try Self.objects("cluster", Self.reference).first)
        #expect(try Self.canonical(ours, dropping: clusterRandom) == Self.canonical(theirs, dropping: clusterRandom))
        let spec = try #require(ours["spec"] as? [String: Any])
        #expect(try JSONSerialization.data(withJSONObject: spec, options: .sortedKeys)
            == JSONSerialization.data(withJSONObject: try #require(theirs["spec"]), options: .sortedKeys))
        let tokens = try #require((ours["rootCa"] as? [String: Any])?["joinTokens"] as? [String: String])
        #expect(tokens.values.allSatisfy { $0.hasPrefix("SWMTKN-1-") && $0.count == 85 })

        let nodeRandom = [["id"], ["meta", "createdAt"], ["meta", "updatedAt"], ["certificate", "cn"],
                          ["description", "tlsInfo"]]
        let ourNode = try #require(try Self.objects("node", target).first)
        let theirNode = try #require(try Self.objects("node", Self.reference).first)
        #expect(try Self.canonical(ourNode, dropping: nodeRandom) == Self.canonical(theirNode, dropping: nodeRandom))
        #expect((ourNode["certificate"] as? [String: Any])?["cn"] as? String == ourNode["id"] as? String)

        let networkRandom = [["id"], ["meta", "createdAt"], ["meta", "updatedAt"]]
        let ourNetworks = try Self.objects("network", target)
        let theirNetworks = try Self.objects("network", Self.reference)
        #expect(ourNetworks.count == 1 && theirNetworks.count == 1)
        #expect(try Self.canonical(ourNetworks[0], dropping: networkRandom) == Self.canonical(theirNetworks[0], dropping: networkRandom))
    }

    /// Byte for byte what `docker swarm init --advertise-addr 127.0.0.11:2377 --listen-addr
    /// 127.0.0.11:2377` saved on Docker 20.10.24 (and, without --listen-addr, the wildcard
    /// Docker listens on by default, with the advertised IP as local address).
    @Test(arguments: [
        (["--advertise-addr", "127.0.0.11:2377", "--listen-addr", "127.0.0.11:2377"],
         #"{"LocalAddr":"127.0.0.11","RemoteAddr":"","ListenAddr":"127.0.0.11:2377","AdvertiseAddr":"127.0.0.11:2377","DataPathAddr":"","DefaultAddressPool":[],"SubnetSize":24,"DataPathPort":4789,"JoinInProgress":false}"#),
        (["--advertise-addr", "10.0.0.5:2400"],
         #"{"LocalAddr":"10.0.0.5","RemoteAddr":"","ListenAddr":"0.0.0.0:2400","AdvertiseAddr":"10.0.0.5:2400","DataPathAddr":"","DefaultAddressPool":[],"SubnetSize":24,"DataPathPort":4789,"JoinInProgress":false}"#),
        (["--advertise-addr", "10.0.0.5", "--listen-addr", "10.0.0.5"],
         #"{"LocalAddr":"10.0.0.5","RemoteAddr":"","ListenAddr":"10.0.0.5:2377","AdvertiseAddr":"10.0.0.5:2377","DataPathAddr":"","DefaultAddressPool":[],"SubnetSize":24,"DataPathPort":4789,"JoinInProgress":false}"#),
    ])
    func writesDockersStartConfig(arguments: [String], expected: String) throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let result = try CLIRunner.run(["init", "--state-dir", target.path, "--hostname", "manager-1", "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let written = try String(contentsOf: target.appendingPathComponent("docker-state.json"), encoding: .utf8)
        #expect(written == expected)
    }

    @Test func aBadListenAddressIsAUsageErrorNamingIt() throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let result = try CLIRunner.run(
            ["init", "--state-dir", target.path, "--advertise-addr", "10.0.0.5", "--listen-addr", "eth0:2377"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("invalid listen address \"eth0:2377\""), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func layoutAndModesMatchSwarmkit() throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        #expect(try Self.initialize(target).status == 0)
        var expected = try Self.modes(Self.reference)
        // The agent's task database is created by the agent itself on first start.
        expected.removeValue(forKey: "worker/tasks.db")
        // The reference comes from swarmd; Docker adds its start config, 0600 as Docker writes it.
        expected["docker-state.json"] = 0o600
        #expect(try Self.modes(target) == expected)
        let segment = "raft/wal-v3-encrypted/0000000000000000-0000000000000000.wal"
        let size = try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent(segment).path)[.size] as? Int
        #expect(size == 64_000_000)
        // Nothing left behind next to the target.
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path) == ["swarm"])
    }

    @Test func autolockedSwarm() throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        let created = try Self.initialize(target, ["--autolock"])
        #expect(created.status == 0, "\(created.stderr)")
        let keys = created.stdout.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("SWMKEY-1-") }
        #expect(keys.count == 1, "the unlock key is printed exactly once")
        let key = String(try #require(keys.first))
        #expect(!created.stderr.contains("SWMKEY"))

        let locked = try CLIRunner.run(["inspect", "--json", "--state-dir", target.path])
        #expect(locked.status == 3)
        let unlocked = try CLIRunner.run(["inspect", "--json", "--state-dir", target.path, "--unlock-key", key])
        #expect(unlocked.status == 0, "\(unlocked.stderr)")
        let encryption = try #require(unlocked.json["encryption"] as? [String: Any])
        #expect(encryption["locked"] as? Bool == true)
        #expect(encryption["algorithm"] as? String == "secretbox")
        let wrong = try CLIRunner.run(["inspect", "--state-dir", target.path, "--unlock-key", "SWMKEY-1-AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"])
        #expect(wrong.status == 3)

        // The cluster object keeps the key, as swarmkit's does, and the spec says autolock.
        let cluster = try #require(try Self.objects("cluster", target, key: key).first)
        let unlockKeys = try #require(cluster["unlockKeys"] as? [[String: String]])
        let kek = String(key.dropFirst("SWMKEY-1-".count))
        #expect(unlockKeys.count == 1 && unlockKeys[0]["subsystem"] == "swarm-manager")
        #expect(unlockKeys[0]["key"]?.trimmingCharacters(in: CharacterSet(charactersIn: "=")) == kek)
        let reference = Fixtures.folder("fresh-init-autolock", "manager-1")
        let theirs = try #require(try Self.objects("cluster", reference, key: Fixtures.unlockKey("fresh-init-autolock")).first)
        #expect(try JSONSerialization.data(withJSONObject: try #require(cluster["spec"]), options: .sortedKeys)
            == JSONSerialization.data(withJSONObject: try #require(theirs["spec"]), options: .sortedKeys))
        let keyFile = try String(contentsOf: target.appendingPathComponent("certificates/swarm-node.key"), encoding: .utf8)
        #expect(keyFile.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\nkek-version: 0\nraft-dek: "))
    }

    @Test func fipsSwarm() throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        let created = try Self.initialize(target, ["--fips", "--autolock", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let key = try #require(created.json["unlock_key"] as? String)
        let clusterID = try #require(created.json["cluster_id"] as? String)
        #expect(clusterID.hasPrefix("FIPS.") && clusterID.count == 30)
        let tokens = try #require(created.json["join_tokens"] as? [String: String])
        #expect(tokens.values.allSatisfy { $0.hasPrefix("SWMTKN-2-1-") })
        let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", target.path, "--unlock-key", key])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.json["cluster_id"] as? String == clusterID)
        let encryption = try #require(inspect.json["encryption"] as? [String: Any])
        #expect(encryption["algorithm"] as? String == "fernet")
        #expect(encryption["locked"] as? Bool == true)
        let cluster = try #require(try Self.objects("cluster", target, key: key).first)
        #expect(cluster["fips"] as? Bool == true)
        let node = try #require(try Self.objects("node", target, key: key).first)
        #expect((node["description"] as? [String: Any])?["fips"] as? Bool == true)
    }

    @Test func refusesExistingState() throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        #expect(try Self.initialize(target).status == 0)
        let before = try Self.tree(target)
        let again = try Self.initialize(target, ["--autolock"])
        #expect(again.status == 1)
        #expect(again.stderr.split(separator: "\n").count == 1)
        #expect(again.stderr.contains("not empty"))
        #expect(again.stdout.isEmpty)
        #expect(try Self.tree(target) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path) == ["swarm"])

        // A file in the way is refused too; an empty directory is fine.
        let file = Self.newTarget()
        defer { Self.cleanUp(file) }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: file)
        #expect(try Self.initialize(file).status == 1)
        let empty = Self.newTarget()
        defer { Self.cleanUp(empty) }
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(try Self.initialize(empty).status == 0)
    }

    @Test func usageErrors() throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let badAddress = try CLIRunner.run(["init", "--state-dir", target.path, "--advertise-addr", "eth0"])
        #expect(badAddress.status == 2)
        #expect(!FileManager.default.fileExists(atPath: target.path))
        let noParent = try CLIRunner.run(["init", "--state-dir", "/nonexistent-\(UUID().uuidString)/swarm", "--advertise-addr", "10.0.0.1"])
        #expect(noParent.status == 5)
    }

    @Test func summaryShowsTokensNotKeys() throws {
        let target = Self.newTarget()
        defer { Self.cleanUp(target) }
        let created = try Self.initialize(target)
        #expect(created.status == 0)
        #expect(created.stdout.contains("docker swarm join --token SWMTKN-1-"))
        #expect(!created.stdout.contains("PRIVATE KEY") && !created.stdout.contains("SWMKEY"))
    }
}
