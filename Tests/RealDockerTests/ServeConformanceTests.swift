import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// The embedded manager and a real dockerd give the same answers on one folder: a state
    /// built through `swarmsafe serve` (a compose stack deployed twice, service updates and a
    /// rollback, node labels and availability, secrets, configs, networks) is inspected by
    /// both, object by object and field by field; then dockerd changes it and both inspect it
    /// again.
    @Suite struct ServeConformance {
        static let compose = """
            version: "3.8"
            services:
              web:
                image: \(DockerEngine.busybox)
                command: ["sleep", "1d"]
                ports: ["8080:80"]
                networks: [front]
                deploy:
                  replicas: 2
                  labels: {tier: front}
                  placement:
                    constraints: [node.role == manager]
                secrets: [db_pass]
                configs: [site]
              worker:
                image: \(DockerEngine.busybox)
                command: ["sleep", "1d"]
                networks: [front, back]
                environment: {QUEUE: jobs}
                secrets: [db_pass]
            networks:
              front: {attachable: true}
              back: {internal: true, labels: {tier: back}}
            secrets:
              db_pass: {file: ./db_pass.txt}
            configs:
              site: {file: ./site.conf}

            """

        /// Fields the two engines may show differently on the same folder, and why.
        static let mayDiffer = [
            // Every write bumps an object's version and update time; the real manager writes
            // its own entries as it boots (node status and description, allocations).
            "*: Version.Index", "*: UpdatedAt",
            // Runtime state a running engine reports and a folder at rest does not have:
            // node heartbeat state and address, the engine's measured resources and plugins.
            "node *: Status.*", "node *: Description.*", "node *: ManagerStatus.Reachability",
            // The swarm's counters and the local node's connection status are live values.
            "swarm: Cluster.Version.Index", "swarm: Cluster.UpdatedAt",
            // dockerd reports the update it finished after booting; serve shows the stored one.
            "service *: UpdateStatus.*",
            // A network's containers and gossip peers are the local engine's; once a task of
            // this engine joined a network, dockerd shows the local network's creation time.
            "network *: Containers.*", "network *: Peers*", "network *: Created",
            // EnableIPv4 is API 1.47's; dockerd 20.10 speaks 1.41 and has no such field.
            "network *: EnableIPv4",
            // docker info: the embedded manager runs no engine (no containers, images,
            // plugins); only the Swarm part is compared.
        ]

        static func writeStackFiles(_ folder: URL) throws -> URL {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("compose.yml")
            try Data(compose.utf8).write(to: file)
            try Data("s3cret\n".utf8).write(to: folder.appendingPathComponent("db_pass.txt"))
            try Data("listen 80;\n".utf8).write(to: folder.appendingPathComponent("site.conf"))
            return file
        }

        static func report(_ title: String, _ differences: [SwarmInspection.Difference]) {
            show(title, differences.isEmpty ? "no differences" : differences.map(\.description).joined(separator: "\n"))
        }

        @Test func serveAndDockerdAnswerAlikeBothWays() throws {
            try withLab { lab in
                let engine = try lab.engine("conformance")
                try engine.swarmInit()
                engine.stop()
                let stack = engine.folder.appendingPathComponent("stack")
                let composeFile = try Self.writeStackFiles(stack)

                // 1. Built through serve.
                let server = try SwarmsafeServer(
                    stateDirectory: engine.stateDirectory, folder: engine.folder.appendingPathComponent("serve"))
                defer { server.stop() }
                let deploy = ["stack", "deploy", "--detach=true", "-c", composeFile.path, "shop"]
                try server.expectDocker(deploy)
                try server.expectDocker(["service", "update", "--detach", "--env-add", "MODE=blue", "shop_web"])
                try server.expectDocker(["service", "update", "--detach", "--env-add", "MODE=green", "shop_web"])
                try server.expectDocker(["service", "rollback", "--detach", "shop_web"])
                try server.expectDocker(["node", "update", "--label-add", "zone=east", "self"])
                try server.expectDocker(["node", "update", "--availability", "drain", "self"])
                try server.expectDocker(["node", "update", "--availability", "active", "self"])
                try server.expectDocker(["secret", "create", "--label", "by=serve", "api-token", "-"], input: Data("t0ken".utf8))
                try server.expectDocker(["config", "create", "motd", "-"], input: Data("hello".utf8))
                try server.expectDocker(["network", "create", "--driver", "overlay", "--subnet", "10.50.0.0/24", "extra"])
                // A second deploy updates the stack in place.
                try server.expectDocker(deploy)
                let stackServices = try server.expectDocker(["stack", "services", "shop", "--format", "{{.Name}}={{.Ports}}"]).lines
                show("serve: docker stack services shop", stackServices.joined(separator: "\n"))
                #expect(stackServices.sorted() == ["shop_web=*:8080->80/tcp", "shop_worker="])
                let tasks = try server.expectDocker(["stack", "ps", "shop", "--filter", "desired-state=running", "--format", "{{.Name}} {{.Node}} {{.CurrentState}}"]).lines
                show("serve: docker stack ps shop", tasks.joined(separator: "\n"))
                #expect(tasks.count == 3)
                #expect(tasks.allSatisfy { $0.contains(" Assigned ") })
                let served = try SwarmInspection { try server.docker($0) }
                #expect(server.stop() == 0)

                // 2. The same folder in dockerd: same answers, and the stack runs.
                try engine.start()
                try waitActiveManager(engine)
                let booted = try SwarmInspection { try engine.tryDocker($0) }
                let forward = served.differences(from: booted, allowed: Self.mayDiffer)
                Self.report("serve → dockerd: fields that differ", forward)
                #expect(forward.isEmpty, "\(forward.map(\.description).joined(separator: "\n"))")
                try engine.importBusybox()
                try waitRunning(engine, "shop_web", "2/2")
                try waitRunning(engine, "shop_worker", "1/1")
                #expect(try engine.docker(["stack", "services", "shop", "--format", "{{.Name}}"]).lines.sorted() == ["shop_web", "shop_worker"])

                // 3. dockerd changes it; serve shows dockerd's state.
                try engine.docker(["service", "create", "--detach", "--name", "by-docker", "-p", "9000:80", "--network", "shop_front",
                    DockerEngine.busybox, "sleep", "1d"])
                try engine.docker(["network", "create", "--driver", "overlay", "dnet"])
                try engine.docker(["secret", "create", "docker-secret", "-"], input: Data("x".utf8))
                try engine.docker(["config", "create", "docker-config", "-"], input: Data("y".utf8))
                // dockerd 20.10 takes "self" in node inspect but not in node update. A booting
                // manager updates its own node object; an update racing it is refused as out
                // of sequence, and Docker's answer is to try again.
                let nodeID = try #require(try engine.docker(["node", "ls", "-q"]).lines.first)
                try waitUntil("node label added on dockerd", timeout: 30, every: 0.5) {
                    let result = try engine.tryDocker(["node", "update", "--label-add", "by=docker", nodeID])
                    if !result.succeeded && !result.stderr.contains("out of sequence") { throw HarnessError.commandFailed(result) }
                    return result.succeeded
                }
                try engine.docker(["service", "scale", "--detach", "shop_web=1"])
                try waitRunning(engine, "by-docker", "1/1")
                try waitRunning(engine, "shop_web", "1/1")
                let fromDocker = try SwarmInspection { try engine.tryDocker($0) }
                engine.stop()
                let again = try SwarmsafeServer(
                    stateDirectory: engine.stateDirectory, folder: engine.folder.appendingPathComponent("serve-2"))
                defer { again.stop() }
                let servedAgain = try SwarmInspection { try again.docker($0) }
                let reverse = servedAgain.differences(from: fromDocker, allowed: Self.mayDiffer)
                Self.report("dockerd → serve: fields that differ", reverse)
                #expect(reverse.isEmpty, "\(reverse.map(\.description).joined(separator: "\n"))")

                // 4. Removals through serve (`stack rm`, a network, a secret) are what dockerd
                // boots with: the stack gone but for shop_front, which dockerd's own service
                // still uses — refused as swarmkit refuses it, and that service still runs.
                let removed = try again.docker(["stack", "rm", "shop"])
                #expect(!removed.succeeded)
                #expect(removed.stderr.contains("FailedPrecondition desc = network ") && removed.stderr.contains(" is in use by service "),
                    "\(removed)")
                try again.expectDocker(["network", "rm", "extra"])
                try again.expectDocker(["secret", "rm", "api-token"])
                #expect(again.stop() == 0)
                try engine.start()
                try waitActiveManager(engine)
                #expect(try engine.docker(["stack", "services", "shop", "--format", "{{.Name}}"]).lines.isEmpty)
                #expect(try names(engine, "service") == ["by-docker"])
                #expect(try names(engine, "secret") == ["docker-secret"])
                #expect(try names(engine, "config") == ["docker-config", "motd"])
                #expect(try names(engine, "network", filter: ["--filter", "scope=swarm"]) == ["dnet", "ingress", "shop_front"])
                try waitRunning(engine, "by-docker", "1/1")
            }
        }
    }
}
