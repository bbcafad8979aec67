import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// `docker swarm update`, `join-token --rotate` and `unlock-key --rotate` through
    /// `swarmsafe serve` on a folder dockerd made, judged by the dockerd that boots it after.
    @Suite struct ServedSwarmUpdate {
        /// The spec fields the CLI's flags set, from `docker info --format '{{json .Swarm}}'`.
        static func settings(_ swarm: [String: Any]) -> [String: String] {
            let spec = (swarm["Cluster"] as? [String: Any])?["Spec"] as? [String: Any] ?? [:]
            func field(_ section: String, _ name: String) -> String {
                let value = (spec[section] as? [String: Any])?[name]
                if name == "AutoLockManagers" { return (value as? Bool).map { "\($0)" } ?? "-" }
                return (value as? Int).map { "\($0)" } ?? "-"
            }
            return [
                "TaskHistoryRetentionLimit": field("Orchestration", "TaskHistoryRetentionLimit"),
                "SnapshotInterval": field("Raft", "SnapshotInterval"),
                "KeepOldSnapshots": field("Raft", "KeepOldSnapshots"),
                "HeartbeatPeriod": field("Dispatcher", "HeartbeatPeriod"),
                "NodeCertExpiry": field("CAConfig", "NodeCertExpiry"),
                "AutoLockManagers": field("EncryptionConfig", "AutoLockManagers"),
            ]
        }

        static let wanted = [
            "TaskHistoryRetentionLimit": "3", "SnapshotInterval": "2000", "KeepOldSnapshots": "1",
            "HeartbeatPeriod": "7000000000", "NodeCertExpiry": "\(720 * 3_600 * 1_000_000_000)", "AutoLockManagers": "true",
        ]

        static func joinArguments(_ joiner: DockerEngine, token: String, manager: DockerEngine) -> [String] {
            ["swarm", "join", "--token", token, "--advertise-addr", joiner.address, "--listen-addr", joiner.address, manager.address]
        }

        /// Requests the CLI never sends but another client may: each answer (status and
        /// message) from dockerd is the one serve must give. None of them changes anything.
        static let badRequests: [(query: String, body: String)] = [
            ("", #"{"Name":"default"}"#),
            ("version=1", ""),
            ("version=1&rotateWorkerToken=yes", #"{"Name":"default"}"#),
            ("version=1", #"{"Name":"whoops"}"#),
            ("version=1", #"{"Name":"default","CAConfig":{"ExternalCAs":[{"Protocol":"acme","URL":"https://ca"}]}}"#),
        ]

        /// `POST /swarm/update` over a unix socket: "<status> <message>".
        static func answers(_ socket: String) throws -> [String] {
            try badRequests.map { request in
                let result = try BoundedCommand.run("curl", [
                    "-s", "--unix-socket", socket, "-X", "POST", "-H", "Content-Type: application/json", "-d", request.body,
                    "-w", " %{http_code}", "http://localhost/v1.41/swarm/update?\(request.query)",
                ], timeout: 30)
                let status = result.stdout.split(separator: " ").last.map(String.init) ?? "?"
                let body = String(result.stdout.dropLast(status.count + 1))
                let message = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["message"] as? String
                return "\(status) \(message ?? body)"
            }
        }

        @Test func settingsTokensAndAutolockMadeByServeAreWhatDockerdBootsWith() throws {
            try withLab { lab in
                let engine = try lab.engine("swupdate")
                try engine.swarmInit()
                // dockerd's own answer to a certificate lifetime below swarmkit's minimum.
                let dockerdRefusal = try engine.tryDocker(["swarm", "update", "--cert-expiry", "30m"])
                #expect(!dockerdRefusal.succeeded)
                let dockerdAnswers = try Self.answers(engine.socket)
                let oldWorker = try engine.docker(["swarm", "join-token", "-q", "worker"]).lines.first ?? "?"
                let oldManager = try engine.docker(["swarm", "join-token", "-q", "manager"]).lines.first ?? "?"
                engine.stop()

                let server = try SwarmsafeServer(stateDirectory: engine.stateDirectory, folder: engine.folder.appendingPathComponent("serve"))
                defer { server.stop() }
                let servedRefusal = try server.docker(["swarm", "update", "--cert-expiry", "30m"])
                #expect(!servedRefusal.succeeded)
                #expect(servedRefusal.stderr == dockerdRefusal.stderr)
                #expect(try Self.answers(server.socket) == dockerdAnswers)
                show("dockerd's refusals, given by serve as well", ([dockerdRefusal.stderr] + dockerdAnswers).joined(separator: "\n"))
                try server.expectDocker([
                    "swarm", "update", "--task-history-limit", "3", "--cert-expiry", "720h", "--snapshot-interval", "2000",
                    "--max-snapshots", "1", "--dispatcher-heartbeat", "7s",
                ])
                try server.expectDocker(["swarm", "join-token", "--rotate", "-q", "worker"])
                try server.expectDocker(["swarm", "join-token", "--rotate", "-q", "manager"])
                let newWorker = try server.expectDocker(["swarm", "join-token", "-q", "worker"]).lines.first ?? "?"
                let newManager = try server.expectDocker(["swarm", "join-token", "-q", "manager"]).lines.first ?? "?"
                #expect(newWorker != oldWorker && newManager != oldManager)
                let locking = try server.expectDocker(["swarm", "update", "--autolock=true"]).stdout
                let firstKey = try #require(locking.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("SWMKEY-1-") }.map(String.init))
                let key = try #require(try server.expectDocker(["swarm", "unlock-key", "--rotate", "-q"]).lines.first)
                #expect(key != firstKey)
                let served = Self.settings(try server.expectDocker(["info", "--format", "{{json .Swarm}}"]).json)
                #expect(served == Self.wanted)
                #expect(server.stop() == 0)
                let nodeKey = engine.stateDirectory.appendingPathComponent("certificates/swarm-node.key")
                #expect(try String(contentsOf: nodeKey, encoding: .utf8).contains("raft-dek-needs-rotation"))

                // dockerd: locked, the first key refused, the rotated one opens it.
                try engine.start()
                try OfflineWrites.waitLocked(engine)
                let refusedKey = try OfflineWrites.unlock(engine, with: firstKey)
                #expect(!refusedKey.succeeded)
                #expect(try OfflineWrites.unlock(engine, with: key).succeeded)
                try waitActiveManager(engine)
                // The DEK that sat in the clear before autolock is rotated by dockerd itself.
                try waitUntil("dockerd rotated the raft DEK", timeout: 60) {
                    try !String(contentsOf: nodeKey, encoding: .utf8).contains("raft-dek-needs-rotation")
                }
                let booted = Self.settings(try engine.swarmInfo())
                #expect(booted == served)
                #expect(try engine.docker(["swarm", "unlock-key", "-q"]).lines == [key])
                #expect(try engine.docker(["swarm", "join-token", "-q", "worker"]).lines == [newWorker])
                #expect(try engine.docker(["swarm", "join-token", "-q", "manager"]).lines == [newManager])
                show("dockerd after swarmsafe serve's swarm update, token rotation and autolock",
                    try engine.docker(["info"]).stdout.split(separator: "\n").filter {
                        ["Retention", "Snapshot", "Heartbeat Period", "Expiry Duration", "Autolock"].contains(where: $0.contains)
                    }.joined(separator: "\n") + "\nthe first key: " + refusedKey.stderr)

                // The old tokens join nothing; the new worker token does.
                let joiner = try lab.engine("swupdate-w")
                let oldWorkerJoin = try joiner.tryDocker(Self.joinArguments(joiner, token: oldWorker, manager: engine))
                #expect(!oldWorkerJoin.succeeded)
                let oldManagerJoin = try joiner.tryDocker(Self.joinArguments(joiner, token: oldManager, manager: engine))
                #expect(!oldManagerJoin.succeeded)
                try joiner.docker(Self.joinArguments(joiner, token: newWorker, manager: engine))
                try waitUntil("the worker is listed", timeout: 60) {
                    try engine.docker(["node", "ls", "--format", "{{.Hostname}}"]).lines.count == 2
                }
                show("old join tokens refused by dockerd", oldWorkerJoin.stderr + oldManagerJoin.stderr)
            }
        }
    }
}
