import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// A real 3-manager swarm loses two managers; the survivor is rescued on disk.
    @Suite struct QuorumLoss {
        static func nodeRows(_ engine: DockerEngine) throws -> [String] {
            try engine.docker(["node", "ls", "--format", "{{.ID}} {{.Status}} {{.ManagerStatus}}"]).lines
        }

        static func copyFolder(_ from: URL, to: URL) throws {
            let result = try BoundedCommand.run("cp", ["-a", from.path, to.path], timeout: 60)
            guard result.succeeded else { throw HarnessError.commandFailed(result) }
        }

        @Test func killTwoOfThreeRecoverTheSurvivorAndNoGhostOrOldManagerComesBack() throws {
            try withLab { lab in
                let scratch = try temporaryFolder("quorum")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let survivor = try lab.engine("manager-1")
                let lost = [try lab.engine("manager-2"), try lab.engine("manager-3")]
                try survivor.swarmInit()
                for engine in lost { try engine.join(survivor, as: "manager") }
                for engine in lost { try engine.importBusybox() }
                try Migration.populate(survivor)
                let before = try Migration.objects(survivor)
                let selfID = try survivor.docker(["info", "--format", "{{.Swarm.NodeID}}"]).lines.first ?? ""
                let lostIDs = try lost.map { try $0.docker(["info", "--format", "{{.Swarm.NodeID}}"]).lines.first ?? "" }
                #expect(try Self.nodeRows(survivor).count == 3)

                for engine in lost { engine.kill9() }
                try waitUntil("manager-1 without quorum", timeout: 60, every: 1) {
                    !(try survivor.tryDocker(["node", "ls"], timeout: 20).succeeded)
                }
                survivor.stop()
                let lostQuorum = scratch.appendingPathComponent("lost-quorum-swarm")
                try Self.copyFolder(survivor.stateDirectory, to: lostQuorum)

                // The anchor: Docker's own rescue on the same folder.
                try survivor.start()
                try survivor.docker([
                    "swarm", "init", "--force-new-cluster", "--advertise-addr", survivor.address, "--listen-addr", survivor.address,
                ])
                try waitActiveManager(survivor)
                let anchorRows = try survivor.docker(["node", "ls"]).stdout
                let anchorGhosts = try Self.nodeRows(survivor).filter { row in lostIDs.contains { row.hasPrefix($0) } }
                survivor.stop()
                try FileManager.default.moveItem(at: survivor.stateDirectory, to: scratch.appendingPathComponent("anchor-swarm"))
                try Self.copyFolder(lostQuorum, to: survivor.stateDirectory)

                // swarmsafe's rescue, on disk, then a plain start.
                let recover = try SwarmsafeCLI.expectSuccess([
                    "recover", "--force-new-cluster", "--remove-lost-managers", "--state-dir", survivor.stateDirectory.path,
                ])
                try survivor.start()
                try waitActiveManager(survivor)
                let rows = try Self.nodeRows(survivor)
                show("docker swarm init --force-new-cluster (Docker's own rescue) — docker node ls", anchorRows)
                show("swarmsafe recover --force-new-cluster --remove-lost-managers", recover.stdout)
                show("then dockerd — docker node ls", try survivor.docker(["node", "ls"]).stdout)
                #expect(anchorGhosts.count == 2, "Docker's own rescue keeps the lost managers listed")
                #expect(rows == ["\(selfID) Ready Leader"])
                #expect(try Migration.objects(survivor) == before)
                try waitRunning(survivor, "web")

                // A new manager joins with the printed command.
                let newcomer = try lab.engine("manager-4")
                try Migration.join(newcomer, with: try Migration.printedJoinCommand(survivor, "manager"))
                try waitUntil("two managers ready", timeout: 90, every: 0.5) {
                    let rows = try Self.nodeRows(survivor)
                    return rows.count == 2 && rows.allSatisfy { $0.contains(" Ready ") }
                }

                // A killed old manager started again is refused: it never rejoins, and forms
                // no cluster of its own (its partner is still down, and it is no member).
                try lost[0].start()
                var lostState: [String: Any] = [:]
                for _ in 0..<20 {
                    usleep(500_000)
                    lostState = (try? lost[0].swarmInfo()) ?? [:]
                }
                show("the old manager-2 started again — docker info Swarm", "LocalNodeState \(lostState["LocalNodeState"] ?? "?"), ControlAvailable \(lostState["ControlAvailable"] ?? "?"), Error \(lostState["Error"] ?? "")")
                #expect(!(try lost[0].tryDocker(["node", "ls"], timeout: 20).succeeded))
                let after = try Self.nodeRows(survivor)
                #expect(after.count == 2)
                #expect(!after.contains { row in lostIDs.contains { row.hasPrefix($0) } })
                #expect(after.contains("\(selfID) Ready Leader"))
            }
        }
    }
}
