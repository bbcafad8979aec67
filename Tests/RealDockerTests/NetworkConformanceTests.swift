import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// Networks made through `swarmsafe serve` beside the same network made by dockerd: after
    /// dockerd boots the folder, both inspect alike, and a service's task runs on ours.
    @Suite struct NetworkConformance {
        /// The flags both networks are made with; only the pool differs (pools may not overlap).
        static func flags(pool: String) -> [String] {
            [
                "--driver", "overlay", "--attachable", "--label", "tier=back", "--opt", "com.docker.network.driver.mtu=1400",
                "--subnet", "10.\(pool).0.0/24",
                "--gateway", "10.\(pool).0.1", "--ip-range", "10.\(pool).0.128/25",
            ]
        }

        /// What a network's inspect must agree on, the pool's second octet normalised. The
        /// driver's options (its VXLAN ID), `Id` and `Created` are the allocator's and the
        /// clock's; `Containers` lists this engine's containers.
        static func comparable(_ inspect: String, pool: String) throws -> [String: String] {
            let array = try JSONSerialization.jsonObject(with: Data(inspect.utf8)) as? [[String: Any]]
            guard let network = array?.first else { throw HarnessError.unexpected("no network in:\n\(inspect)") }
            var out: [String: String] = [:]
            for key in ["Scope", "Driver", "EnableIPv6", "Internal", "Attachable", "Ingress", "ConfigOnly", "Labels", "IPAM"] {
                let value = network[key] ?? NSNull()
                let data = try JSONSerialization.data(withJSONObject: ["v": value], options: [.sortedKeys])
                out[key] = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "10.\(pool).", with: "10.X.")
            }
            let options = network["Options"] as? [String: Any] ?? [:]
            out["Options keys"] = options.keys.sorted().joined(separator: ",")
            out["MTU option"] = options["com.docker.network.driver.mtu"] as? String ?? "(absent)"
            return out
        }

        @Test func aNetworkMadeThroughServeIsTheNetworkDockerdMakes() throws {
            try withLab { lab in
                let engine = try lab.engine("networks")
                try engine.swarmInit()
                try engine.docker(["network", "create"] + Self.flags(pool: "30") + ["by-docker"])
                let dockerView = try engine.docker(["network", "inspect", "by-docker"]).stdout
                engine.stop()

                let server = try SwarmsafeServer(
                    stateDirectory: engine.stateDirectory, folder: engine.folder.appendingPathComponent("serve"))
                defer { server.stop() }
                // The reverse direction: dockerd's network as the embedded manager shows it.
                let servedViewOfDockers = try server.expectDocker(["network", "inspect", "by-docker"]).stdout
                try server.expectDocker(["network", "create"] + Self.flags(pool: "31") + ["by-swarmsafe"])
                try server.expectDocker([
                    "service", "create", "--detach", "--name", "app", "--network", "by-swarmsafe", DockerEngine.busybox,
                    "sleep", "1d",
                ])
                let servedList = try server.expectDocker(["network", "ls", "--format", "{{.Name}} {{.Scope}}"]).lines
                let ps = try server.docker(["ps"])
                show("through swarmsafe serve: docker network ls / docker ps", servedList.joined(separator: "\n") + "\n" + ps.stderr)
                #expect(!ps.succeeded)
                #expect(ps.stderr.contains("does not serve GET /containers/json"), "\(ps)")
                #expect(server.stop() == 0)

                try engine.start()
                try waitActiveManager(engine)
                let ours = try engine.docker(["network", "inspect", "by-swarmsafe"]).stdout
                let theirs = try engine.docker(["network", "inspect", "by-docker"]).stdout
                show("dockerd: docker network inspect by-swarmsafe", ours)
                #expect(try Self.comparable(ours, pool: "31") == Self.comparable(theirs, pool: "30"))
                let served = try Self.comparable(servedViewOfDockers, pool: "30")
                let docker = try Self.comparable(dockerView, pool: "30")
                for key in docker.keys.sorted() {
                    #expect(served[key] == docker[key], "serve's inspect of dockerd's network: \(key)")
                }
                // Docker's list, scope by scope, holds what the embedded manager listed.
                let dockerList = try engine.docker(["network", "ls", "--format", "{{.Name}} {{.Scope}}"]).lines
                for row in servedList { #expect(dockerList.contains(row), "\(row) not in \(dockerList)") }

                // The service's task runs, attached to our network with an address from its range.
                try engine.importBusybox()
                try waitRunning(engine, "app", "1/1")
                let container = try #require(
                    try engine.docker(["ps", "-q", "--filter", "label=com.docker.swarm.service.name=app"]).lines.first)
                let address = try engine.docker([
                    "inspect", container, "--format", "{{(index .NetworkSettings.Networks \"by-swarmsafe\").IPAddress}}",
                ]).lines.first ?? ""
                show("the task's address on by-swarmsafe", address)
                #expect(address.hasPrefix("10.31.0."))
                #expect((Int(address.split(separator: ".").last ?? "") ?? 0) >= 128)
            }
        }
    }
}
