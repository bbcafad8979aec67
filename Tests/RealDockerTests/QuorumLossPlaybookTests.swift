import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// `playbooks/quorum-loss-recovery.yml` against three real managers on this machine: the
    /// inventory's start/stop commands drive the test's dockerds, its status command is the
    /// real `docker info`, and the playbook decides by itself whom to rescue.
    @Suite struct QuorumLossPlaybook {
        static let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

        /// One inventory host per engine, written as JSON (which Ansible's YAML inventory reads):
        /// the values hold quotes and spaces that an INI line would mangle.
        static func inventory(_ engines: [String: DockerEngine]) throws -> Data {
            var hosts: [String: [String: String]] = [:]
            for (name, engine) in engines {
                hosts[name] = [
                    "ansible_connection": "local",
                    "swarm_state_dir": engine.stateDirectory.path,
                    "swarm_docker_cmd": "docker -H \(engine.host)",
                    "swarm_daemon_stop_cmd": "/bin/sh -c \(quoted(engine.stopScript))",
                    "swarm_daemon_start_cmd": "/bin/sh -c \(quoted(engine.startScript))",
                    "swarm_advertise_addr": engine.address,
                    "swarm_listen_addr": engine.address,
                ]
            }
            return try JSONSerialization.data(
                withJSONObject: ["swarm_managers": ["hosts": hosts]], options: [.prettyPrinted, .sortedKeys])
        }

        static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

        /// Runs the playbook with the repository's ansible (scripts/install-system-packages.sh).
        static func play(_ inventory: URL, in scratch: URL, _ extra: [String] = []) throws -> CommandResult {
            let venv = repository.appendingPathComponent(".venv-ansible/bin")
            let playbook = venv.appendingPathComponent("ansible-playbook").path
            guard FileManager.default.isExecutableFile(atPath: playbook) else {
                throw HarnessError.unexpected("no \(playbook): run scripts/install-system-packages.sh")
            }
            let temp = scratch.appendingPathComponent("ansible-tmp")
            try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
            let environment = [
                "PATH": venv.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_LOCALHOST_WARNING": "0",
                "ANSIBLE_LOCAL_TEMP": temp.path, "ANSIBLE_REMOTE_TEMP": temp.path,
                "ANSIBLE_PYTHON_INTERPRETER": "/usr/bin/python3",
            ]
            return try BoundedCommand.run(
                playbook,
                [repository.appendingPathComponent("playbooks/quorum-loss-recovery.yml").path, "-i", inventory.path,
                 "-e", "swarmsafe_bin=\(SwarmsafeCLI.binary)"] + extra,
                environment: environment, timeout: 300)
        }

        /// What `swarmsafe inspect --json` says of a state folder: members and last index.
        static func raft(_ folder: URL) throws -> String {
            let raft = try SwarmsafeCLI.expectSuccess(["inspect", "--json", "--state-dir", folder.path]).json["raft"]
                as? [String: Any] ?? [:]
            return "\((raft["members"] as? [Any])?.count ?? -1) members, last index \(raft["last_index"] ?? "?")"
        }

        /// The join command the playbook printed for `host`, as words.
        static func printedJoin(for host: String, in output: String) throws -> [String] {
            guard let line = output.split(separator: "\n").first(where: { $0.contains("on \(host): docker swarm join") }),
                let start = line.range(of: "docker swarm join")
            else { throw HarnessError.unexpected("no join command for \(host) in:\n\(output)") }
            let command = line[start.lowerBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\",\t "))
            return command.split(separator: " ").map(String.init)
        }

        @Test func refusesWhileAQuorumAnswersThenRescuesTheSurvivorAndFencesTheLostManagers() throws {
            try withLab { lab in
                let scratch = try temporaryFolder("quorum-playbook")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let engines = [
                    "m1": try lab.engine("manager-1"), "m2": try lab.engine("manager-2"), "m3": try lab.engine("manager-3"),
                ]
                let first = engines["m1"]!
                try first.swarmInit()
                for name in ["m2", "m3"] { try engines[name]!.join(first, as: "manager") }
                for name in ["m2", "m3"] { try engines[name]!.importBusybox() }
                try Migration.populate(first)
                let before = try Migration.objects(first)
                var nodeIDs: [String: String] = [:]
                for (name, engine) in engines {
                    nodeIDs[name] = try engine.docker(["info", "--format", "{{.Swarm.NodeID}}"]).lines.first ?? ""
                }
                let inventory = scratch.appendingPathComponent("inventory.json")
                try Self.inventory(engines).write(to: inventory)

                // All three answer with a leader: a quorum; the playbook refuses and touches nothing.
                let rafts = try engines.mapValues { try Self.raft($0.stateDirectory) }
                let refused = try Self.play(inventory, in: scratch)
                show("quorum-loss-recovery.yml with all managers up", refused.stdout.suffix(1200).description)
                #expect(!refused.succeeded)
                #expect(refused.stdout.contains("that is a quorum"), "\(refused)")
                #expect(try engines.mapValues { try Self.raft($0.stateDirectory) } == rafts)
                #expect(try QuorumLoss.nodeRows(first).count == 3)

                // Two managers crash; the third has no leader any more.
                for name in ["m2", "m3"] { engines[name]!.kill9() }
                try waitUntil("manager-1 without quorum", timeout: 60, every: 1) {
                    !(try first.tryDocker(["node", "ls"], timeout: 20).succeeded)
                }
                let info = try first.swarmInfo()
                show("manager-1 after the crash — docker info Swarm", "LocalNodeState \(info["LocalNodeState"] ?? "?"), ControlAvailable \(info["ControlAvailable"] ?? "?"), Error \(info["Error"] ?? "")")

                // No swarm_recover_allow_quorum: the daemons' answers show there is none.
                let rescue = try Self.play(inventory, in: scratch)
                show("quorum-loss-recovery.yml after the crash", rescue.stdout.suffix(4000).description)
                guard rescue.succeeded else { throw HarnessError.commandFailed(rescue) }
                guard let survivorName = ["m1", "m2", "m3"].first(where: { rescue.stdout.contains("rescuing \($0)") }),
                    let survivor = engines[survivorName]
                else { throw HarnessError.unexpected("the playbook named no survivor:\n\(rescue.stdout)") }
                let others = ["m1", "m2", "m3"].filter { $0 != survivorName }

                try waitActiveManager(survivor, timeout: 90)
                show("the rescued \(survivorName) — docker node ls", try survivor.docker(["node", "ls"]).stdout)
                #expect(try QuorumLoss.nodeRows(survivor) == ["\(nodeIDs[survivorName]!) Ready Leader"])
                #expect(try Migration.objects(survivor) == before)
                try survivor.importBusybox()
                try waitRunning(survivor, "web")

                // Every other manager was fenced: its folder moved aside whole, its daemon started
                // again with no swarm, so that no second cluster can form from the old members.
                for name in others {
                    let engine = engines[name]!
                    // dockerd makes an empty swarm folder again when it starts: nothing of the old
                    // cluster may be in it.
                    let left = (try? FileManager.default.contentsOfDirectory(atPath: engine.stateDirectory.path)) ?? []
                    #expect(!left.contains("raft") && !left.contains("state.json") && !left.contains("certificates"),
                        "\(name): \(left)")
                    let fenced = try FileManager.default.contentsOfDirectory(atPath: engine.dataRoot.path)
                        .filter { $0.hasPrefix("swarm.fenced-") }
                    #expect(fenced.count == 1, "\(name): \(fenced)")
                    if let folder = fenced.first {
                        #expect(try Self.raft(engine.dataRoot.appendingPathComponent(folder)).hasPrefix("3 members"))
                        #expect(rescue.stdout.contains("\(name): fenced: daemon stopped"))
                    }
                    #expect(try engine.swarmInfo()["LocalNodeState"] as? String == "inactive")
                }

                // The printed join command, run as printed, makes a fenced manager a manager again.
                let joiner = others[0]
                let join = try Self.printedJoin(for: joiner, in: rescue.stdout)
                #expect(join.contains("--advertise-addr") && join.contains(engines[joiner]!.address))
                #expect(join.last == survivor.address)
                try engines[joiner]!.docker(Array(join.dropFirst()))
                try waitUntil("two managers ready", timeout: 90, every: 0.5) {
                    let rows = try QuorumLoss.nodeRows(survivor)
                    return rows.count == 2 && rows.allSatisfy { $0.contains(" Ready ") }
                }
                show("after \(joiner) joined with the printed command — docker node ls", try survivor.docker(["node", "ls"]).stdout)
                let rows = try QuorumLoss.nodeRows(survivor)
                #expect(rows.contains("\(nodeIDs[survivorName]!) Ready Leader"))
                #expect(!rows.contains { row in others.contains { row.hasPrefix(nodeIDs[$0]!) } },
                    "a fenced manager joins as a new node, its old identity stays gone")

                // The other lost manager is back too, and runs no swarm of its own.
                let bystander = engines[others[1]]!
                #expect(try bystander.swarmInfo()["LocalNodeState"] as? String == "inactive")
                #expect(!(try bystander.tryDocker(["node", "ls"], timeout: 20).succeeded))
                #expect(try QuorumLoss.nodeRows(survivor).count == 2)
            }
        }
    }
}
