import Foundation
import SwarmFormats
import SwarmNode
import Testing

/// `docker swarm update`, `join-token --rotate` and `unlock-key --rotate` through
/// `swarmsafe serve`, judged by what the real docker CLI prints (this CLI has no
/// `docker swarm inspect`: `docker info` shows the cluster spec).
// No docker CLI is a failure with the reason (DockerCLI.run), never a skip.
@Suite(.serialized)
struct ServeSwarmUpdateCLITests {
    static let specFormat =
        "{{.Swarm.Cluster.Spec.Orchestration.TaskHistoryRetentionLimit}} {{.Swarm.Cluster.Spec.CAConfig.NodeCertExpiry}} {{.Swarm.Cluster.Spec.Raft.SnapshotInterval}} "
        + "{{.Swarm.Cluster.Spec.Raft.KeepOldSnapshots}} {{.Swarm.Cluster.Spec.Dispatcher.HeartbeatPeriod}} {{.Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers}}"

    /// The key in the CLI's "To unlock a swarm manager after it restarts…" text.
    static func printedKey(_ text: String) -> String? {
        text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix(UnlockKey.prefix) }.map(String.init)
    }

    static func nodeKeyIsLocked(_ folder: URL) throws -> Bool {
        try NodeKeyFile.read(path: StateDirectory(path: folder.path).nodeKey.path).isLocked
    }

    static func keptAside(_ folder: URL) throws -> [String] {
        let certificates = StateDirectory(path: folder.path).nodeKey.deletingLastPathComponent()
        return try FileManager.default.contentsOfDirectory(atPath: certificates.path)
            .filter { $0.hasPrefix("swarm-node.key.swarmsafe-old-") }
    }

    @Test func settingsTokensAndAutolockChangeAsDockerShowsThemAndSurviveARestart() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        var server = try ServeProcess.start(folder)
        defer { server.stopIfRunning() }
        var docker = DockerCLI(socket: server.socket)

        // Settings: each flag lands where docker info reads it.
        #expect(try docker.ok([
            "swarm", "update", "--task-history-limit", "7", "--cert-expiry", "48h", "--snapshot-interval", "5000",
            "--max-snapshots", "2", "--dispatcher-heartbeat", "10s",
        ]) == "Swarm updated.")
        #expect(try docker.ok(["info", "--format", Self.specFormat]) == "7 48h0m0s 5000 2 10s false")
        let info = try docker.ok(["info"])
        for line in [
            "Task History Retention Limit: 7", "Snapshot Interval: 5000", "Number of Old Snapshots to Retain: 2",
            "Heartbeat Period: 10 seconds", "Expiry Duration: 2 days", "Autolock Managers: false",
        ] {
            #expect(info.contains(line), "\(line) not in:\n\(info)")
        }

        // Bad input is refused as swarmkit and the CLI refuse it, and changes nothing.
        let short = try docker.run(["swarm", "update", "--cert-expiry", "30m"])
        #expect(short.status == 1)
        #expect(short.stderr.contains("rpc error: code = InvalidArgument desc = minimum certificate expiry time is: 1h0m0s"), "\(short.stderr)")
        let notLocked = try docker.run(["swarm", "unlock-key", "--rotate"])
        #expect(notLocked.status == 1)
        #expect(notLocked.stderr.contains("cannot rotate because autolock is not turned on"), "\(notLocked.stderr)")
        let noKey = try docker.run(["swarm", "unlock-key"])
        #expect(noKey.status == 1 && noKey.stderr.contains("no unlock key is set"), "\(noKey.stderr)")
        #expect(try docker.ok(["info", "--format", Self.specFormat]) == "7 48h0m0s 5000 2 10s false")

        // Join tokens: a new secret, the same root CA digest; the other role's token stays.
        let worker = try docker.ok(["swarm", "join-token", "-q", "worker"])
        let manager = try docker.ok(["swarm", "join-token", "-q", "manager"])
        let rotated = try docker.ok(["swarm", "join-token", "--rotate", "-q", "worker"])
        #expect(rotated != worker)
        #expect(rotated.hasPrefix("SWMTKN-1-") && rotated.count == worker.count)
        #expect(rotated.split(separator: "-")[2] == worker.split(separator: "-")[2])
        #expect(try docker.ok(["swarm", "join-token", "-q", "worker"]) == rotated)
        #expect(try docker.ok(["swarm", "join-token", "-q", "manager"]) == manager)
        let rotatedManager = try docker.ok(["swarm", "join-token", "--rotate", "-q", "manager"])
        #expect(rotatedManager != manager)
        #expect(try docker.ok(["swarm", "join-token", "manager"]).contains("--token \(rotatedManager) "))

        // Autolock on: the key is printed, shown, and is what the node key is encrypted with.
        #expect(try !Self.nodeKeyIsLocked(folder))
        let locked = try docker.ok(["swarm", "update", "--autolock=true"])
        #expect(locked.contains("To unlock a swarm manager after it restarts"), "\(locked)")
        let key = try #require(Self.printedKey(locked))
        #expect(try docker.ok(["swarm", "unlock-key", "-q"]) == key)
        #expect(try Self.nodeKeyIsLocked(folder))
        #expect(try Self.keptAside(folder).count == 1)
        // The DEK was in the clear until now: marked for the rotation a real manager makes.
        let keyFile = try NodeKeyFile.read(path: StateDirectory(path: folder.path).nodeKey.path)
        #expect(keyFile.block.header(RaftDEKs.needsRotationHeader) != nil)
        #expect(try docker.ok(["info"]).contains("Autolock Managers: true"))
        // A new key on request; the old one opens nothing any more.
        let rotation = try docker.ok(["swarm", "unlock-key", "--rotate"])
        #expect(rotation.contains("Successfully rotated manager unlock key."), "\(rotation)")
        let newKey = try #require(Self.printedKey(rotation))
        #expect(newKey != key)
        #expect(try docker.ok(["swarm", "unlock-key", "-q"]) == newKey)
        #expect(throws: KeyMaterialError.self) {
            try NodeKeys.load(stateDirectory: folder, unlockKey: UnlockKey(text: key))
        }
        #expect(try Self.keptAside(folder).count == 2)
        #expect(server.stop() == 0)

        // After a restart: locked until the new key, everything as it was left.
        server = try ServeProcess.start(folder)
        docker = DockerCLI(socket: server.socket)
        #expect(try docker.ok(["info"]).contains("Swarm: locked"))
        let oldKey = try docker.run(["swarm", "unlock"], stdin: key + "\n")
        #expect(oldKey.status == 1 && oldKey.stderr.contains("invalid key provided"), "\(oldKey.stderr)")
        #expect(try docker.run(["swarm", "unlock"], stdin: newKey + "\n").status == 0)
        #expect(try docker.ok(["info", "--format", Self.specFormat]) == "7 48h0m0s 5000 2 10s true")
        #expect(try docker.ok(["swarm", "join-token", "-q", "worker"]) == rotated)
        #expect(try docker.ok(["swarm", "join-token", "-q", "manager"]) == rotatedManager)

        // Autolock off: the key is gone from the swarm and the node key is in the clear again.
        #expect(try docker.ok(["swarm", "update", "--autolock=false"]) == "Swarm updated.")
        #expect(try !Self.nodeKeyIsLocked(folder))
        let gone = try docker.run(["swarm", "unlock-key"])
        #expect(gone.status == 1 && gone.stderr.contains("no unlock key is set"), "\(gone.stderr)")
        #expect(server.stop() == 0)

        server = try ServeProcess.start(folder)
        docker = DockerCLI(socket: server.socket)
        #expect(try docker.ok(["info"]).contains("Swarm: active"))
        #expect(try docker.ok(["info", "--format", Self.specFormat]) == "7 48h0m0s 5000 2 10s false")
        #expect(server.stop() == 0)
        let loaded = try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: folder.path))
        #expect(loaded.warnings == [])
    }

    @Test func aStaleVersionIsOutOfSequence() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try ServeProcess.start(folder)
        defer { server.stopIfRunning() }
        let docker = DockerCLI(socket: server.socket)
        // The version the CLI reads is the cluster's; a write in between makes it stale.
        let version = try docker.ok(["info", "--format", "{{.Swarm.Cluster.Version.Index}}"])
        _ = try docker.ok(["swarm", "update", "--task-history-limit", "3"])
        #expect(try docker.ok(["info", "--format", "{{.Swarm.Cluster.Version.Index}}"]) != version)
        let stale = try ChildProcess.run(
            "/usr/bin/curl", [
                "-s", "--unix-socket", server.socket, "-X", "POST", "-H", "Content-Type: application/json",
                "-d", #"{"Name":"default"}"#, "http://localhost/v1.47/swarm/update?version=\(version)",
            ], environment: [:], stdin: nil, timeout: 30)
        #expect(stale.stdout.contains("update out of sequence"), "\(stale.stdout) \(stale.stderr)")
    }
}
