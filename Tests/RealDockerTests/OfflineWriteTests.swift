import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// Every swarmsafe command that writes into a state directory Docker made, judged by the
    /// dockerd that boots it afterwards.
    @Suite struct OfflineWrites {
        /// A real one-manager swarm with a secret, stopped: the folder the commands work on.
        static func dockerMadeSwarm(_ lab: DockerLab, _ name: String, autolock: Bool = false) throws -> (DockerEngine, String?) {
            let engine = try lab.engine(name)
            let key = try engine.swarmInit(autolock: autolock)
            try engine.docker(["secret", "create", "made-by-docker", "-"], input: Data("one".utf8))
            engine.stop()
            return (engine, key)
        }

        static func writeKey(_ key: String, in folder: URL, _ name: String) throws -> URL {
            let file = folder.appendingPathComponent(name)
            try Data((key + "\n").utf8).write(to: file)
            chmod(file.path, 0o600)
            return file
        }

        static func readKey(_ file: URL) throws -> String {
            try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        static func waitLocked(_ engine: DockerEngine) throws {
            try waitUntil("\(engine.name) locked", timeout: 30) {
                try engine.swarmInfo()["LocalNodeState"] as? String == "locked"
            }
        }

        /// `docker swarm unlock` with `key`; whether Docker took it.
        static func unlock(_ engine: DockerEngine, with key: String) throws -> CommandResult {
            try engine.tryDocker(["swarm", "unlock"], input: Data((key + "\n").utf8))
        }

        static func autolockSetting(_ engine: DockerEngine) throws -> Bool? {
            let info = try engine.swarmInfo()
            let spec = (info["Cluster"] as? [String: Any])?["Spec"] as? [String: Any]
            return (spec?["EncryptionConfig"] as? [String: Any])?["AutoLockManagers"] as? Bool
        }

        @Test func serveWritesAreWhatDockerdBootsWith() throws {
            try withLab { lab in
                let (engine, _) = try Self.dockerMadeSwarm(lab, "served")
                let server = try SwarmsafeServer(stateDirectory: engine.stateDirectory, folder: engine.folder.appendingPathComponent("serve"))
                defer { server.stop() }
                try server.expectDocker(["secret", "create", "db-password", "-"], input: Data("s3cret".utf8))
                try server.expectDocker(["config", "create", "app-config", "-"], input: Data("debug=false".utf8))
                try server.expectDocker([
                    "service", "create", "--detach", "--name", "web", "--replicas", "1", "--secret", "db-password",
                    "--config", "app-config", "--label", "tier=front", DockerEngine.busybox, "sleep", "1d",
                ])
                try server.expectDocker(["node", "update", "--label-add", "zone=a", "self"])
                let servedNodes = try server.expectDocker(["node", "ls", "--format", "{{.ID}}"]).lines
                #expect(server.stop() == 0)

                try engine.start()
                try waitActiveManager(engine)
                #expect(try names(engine, "secret") == ["db-password", "made-by-docker"])
                #expect(try names(engine, "config") == ["app-config"])
                #expect(try names(engine, "service") == ["web"])
                #expect(try engine.docker(["service", "inspect", "web", "--format", "{{index .Spec.Labels \"tier\"}}"]).lines == ["front"])
                #expect(try engine.docker(["node", "inspect", "self", "--format", "{{index .Spec.Labels \"zone\"}}"]).lines == ["a"])
                #expect(try engine.docker(["node", "ls", "--format", "{{.ID}}"]).lines == servedNodes)
                try engine.importBusybox()
                try waitRunning(engine, "web", "1/1")
                // The secret and config reached the task's container as Docker mounts them.
                let container = try engine.docker(["ps", "-q", "--filter", "label=com.docker.swarm.service.name=web"]).lines
                let id = try #require(container.first)
                #expect(try engine.docker(["exec", id, "cat", "/run/secrets/db-password"]).stdout == "s3cret")
                #expect(try engine.docker(["exec", id, "cat", "/app-config"]).stdout == "debug=false")
                show("dockerd after swarmsafe serve wrote a secret, a config, a service and a node label",
                    try engine.docker(["service", "ls"]).stdout + (try engine.docker(["secret", "ls"]).stdout))
            }
        }

        /// `recover --rewind-to N`, through the replacement transaction: dockerd boots the state
        /// as it was after entry N, without the secret made after it, and runs on from there.
        @Test func aRewindIsTheEarlierSwarmDockerdBootsWith() throws {
            try withLab { lab in
                let (engine, _) = try Self.dockerMadeSwarm(lab, "rewound")
                let state = engine.stateDirectory.path
                let inspect = try SwarmsafeCLI.expectSuccess(["inspect", "--json", "--state-dir", state])
                let raft = try #require(
                    (try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])?["raft"] as? [String: Any])
                let index = try #require(raft["last_index"] as? Int)
                try engine.start()
                try waitActiveManager(engine)
                try engine.docker(["secret", "create", "made-after", "-"], input: Data("two".utf8))
                #expect(try names(engine, "secret") == ["made-after", "made-by-docker"])
                engine.stop()

                let rewind = try SwarmsafeCLI.expectSuccess(["recover", "--rewind-to", String(index), "--state-dir", state, "--json"])
                let report = try #require(try JSONSerialization.jsonObject(with: Data(rewind.stdout.utf8)) as? [String: Any])
                #expect(report["changed"] as? Bool == true)
                let aside = try #require(report["previous_moved_to"] as? String)
                #expect(FileManager.default.fileExists(atPath: aside))
                try engine.start()
                try waitActiveManager(engine)
                #expect(try names(engine, "secret") == ["made-by-docker"])
                // The rewound swarm takes writes again.
                try engine.docker(["secret", "create", "made-after-rewind", "-"], input: Data("three".utf8))
                #expect(try names(engine, "secret") == ["made-after-rewind", "made-by-docker"])
                show("dockerd after recover --rewind-to \(index)", try engine.docker(["secret", "ls"]).stdout)
            }
        }

        @Test func keyRotateLockAndUnlockAreWhatDockerdAsksFor() throws {
            try withLab { lab in
                let (engine, firstKey) = try Self.dockerMadeSwarm(lab, "keys", autolock: true)
                let keys = engine.folder.appendingPathComponent("keys")
                try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
                let old = try Self.writeKey(try #require(firstKey), in: keys, "old.key")

                // rotate: the old key is refused, the new one opens it, Docker knows it as current.
                try SwarmsafeCLI.expectSuccess([
                    "key", "rotate", "--state-dir", engine.stateDirectory.path, "--unlock-key-file", old.path,
                    "--new-key-file", keys.appendingPathComponent("new.key").path,
                ])
                let new = try Self.readKey(keys.appendingPathComponent("new.key"))
                #expect(new != firstKey)
                try engine.start()
                try Self.waitLocked(engine)
                let refused = try Self.unlock(engine, with: try #require(firstKey))
                #expect(!refused.succeeded)
                #expect(try engine.swarmInfo()["LocalNodeState"] as? String == "locked")
                #expect(try Self.unlock(engine, with: new).succeeded)
                try waitActiveManager(engine)
                #expect(try engine.docker(["swarm", "unlock-key", "-q"]).lines == [new])
                #expect(try names(engine, "secret") == ["made-by-docker"])
                show("dockerd after key rotate: the old key", refused.stderr)
                engine.stop()

                // unlock: autolock off, the daemon starts without asking.
                try SwarmsafeCLI.expectSuccess([
                    "key", "unlock", "--state-dir", engine.stateDirectory.path, "--unlock-key-file",
                    keys.appendingPathComponent("new.key").path,
                ])
                try engine.start()
                try waitActiveManager(engine)
                #expect(try Self.autolockSetting(engine) == false)
                engine.stop()

                // lock: autolock on again with a key of swarmsafe's making.
                try SwarmsafeCLI.expectSuccess([
                    "key", "lock", "--state-dir", engine.stateDirectory.path, "--new-key-file",
                    keys.appendingPathComponent("third.key").path,
                ])
                let third = try Self.readKey(keys.appendingPathComponent("third.key"))
                try engine.start()
                try Self.waitLocked(engine)
                #expect(!(try Self.unlock(engine, with: new).succeeded))
                let opened = try Self.unlock(engine, with: third)
                #expect(opened.succeeded, "docker swarm unlock with the key `key lock` wrote: \(opened.stderr)")
                try waitActiveManager(engine)
                #expect(try Self.autolockSetting(engine) == true)
                #expect(try engine.docker(["swarm", "unlock-key", "-q"]).lines == [third])
                #expect(try names(engine, "secret") == ["made-by-docker"])
            }
        }

        @Test func aForcedCertificateRenewalIsTheCertificateDockerdRunsWith() throws {
            try withLab { lab in
                let (engine, _) = try Self.dockerMadeSwarm(lab, "certs")
                let certificate = engine.stateDirectory.appendingPathComponent("certificates/swarm-node.crt")
                let before = try Data(contentsOf: certificate)
                let renewal = try SwarmsafeCLI.expectSuccess([
                    "certs", "renew", "--force", "--state-dir", engine.stateDirectory.path, "--json",
                ]).json
                let renewed = try Data(contentsOf: certificate)
                #expect(renewed != before)
                try engine.start()
                try waitActiveManager(engine)
                // The manager came up with the renewed certificate and kept it (swarmkit
                // rewrites the file when it renews by itself or refuses the one it finds).
                #expect(try Data(contentsOf: certificate) == renewed)
                #expect(try names(engine, "secret") == ["made-by-docker"])
                // The node reports the renewed certificate's issuer as the cluster's CA (its
                // agent sends its TLS info once it has registered).
                let info = try engine.swarmInfo()
                let issuer = try #require(((info["Cluster"] as? [String: Any])?["TLSInfo"] as? [String: Any])?["CertIssuerPublicKey"] as? String)
                var nodeIssuer: String?
                try waitUntil("the node reports its certificate's issuer", timeout: 30) {
                    nodeIssuer = try engine.docker(["node", "inspect", "self", "--format", "{{json .Description.TLSInfo.CertIssuerPublicKey}}"])
                        .lines.first?.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    return nodeIssuer == issuer
                }
                show("swarmsafe certs renew --force, then dockerd", "\(renewal)")
            }
        }
    }
}
