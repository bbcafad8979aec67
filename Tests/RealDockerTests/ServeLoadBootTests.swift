import Foundation
import RealDocker
import SwarmTestSupport
import Testing

extension RealDockerSuite {
    /// The embedded manager under 16 real docker CLI clients, then SIGKILLed under them at
    /// random moments and started again (`Benchmarks/serve_cli_load.py`, which judges our replay
    /// after every stop against each command the CLI saw succeed), with a snapshot every 40
    /// entries so that kills also land around snapshots. The last kill is not followed by serve:
    /// a real dockerd boots the folder as the kill left it and lists exactly the services and
    /// secrets our replay holds — every acknowledged write, and the unanswered ones the way our
    /// replay read them — with the label of each service's last update. One dockerd boot for
    /// the load and the kills, to keep this lane short.
    @Suite struct ServeUnderLoad {
        @Test func dockerdBootsWhatServeAcknowledgedUnderLoadAndKills() throws {
            try withLab { lab in
                let (engine, _) = try OfflineWrites.dockerMadeSwarm(lab, "loaded")
                let replay = engine.folder.appendingPathComponent("replay.json")
                let arguments = ServeCLILoadReport.arguments(
                    binary: SwarmsafeCLI.binary, stateDirectory: engine.stateDirectory, docker: "docker",
                    clients: 16, seconds: 3, killRounds: 3, rssCapMiB: 512, snapshotInterval: 40, endKilled: true, result: replay)
                let result = try BoundedCommand.run("python3", arguments, timeout: 300)
                show("serve_cli_load.py on a Docker-made swarm", result.stdout)
                let report = ServeCLILoadReport(output: result.stdout)
                #expect(result.succeeded && report.passed, "\(result)")
                #expect(report.killRounds == 3, "\(result.stdout)")
                #expect(report.acknowledgedBeforeKills.reduce(0, +) > 0, "no write was acknowledged before a kill")
                let replayed = try #require(
                    try JSONSerialization.jsonObject(with: Data(contentsOf: replay)) as? [String: Any], "no replay written")
                let services = try #require(replayed["services"] as? [String])
                let secrets = try #require(replayed["secrets"] as? [String])
                let generations = try #require(replayed["gen"] as? [String: String])
                #expect(secrets.contains("made-by-docker"))
                #expect(services.contains { $0.hasPrefix("load-") }, "the load left no service to judge")

                try engine.start()
                try waitActiveManager(engine)
                #expect(try names(engine, "service") == services)
                #expect(try names(engine, "secret") == secrets)
                let shown = try engine.docker(["service", "inspect", "--format", "{{.Spec.Name}} {{index .Spec.Labels \"gen\"}}"] + services)
                    .lines.reduce(into: [String: String]()) { labels, line in
                        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                        if parts.count == 2 { labels[parts[0]] = parts[1] }
                    }
                #expect(shown == generations)
                show("dockerd booting the folder serve was SIGKILLed on (round \(report.killRounds))",
                    "\(services.count) services, \(secrets.count) secrets, as the replay holds")
            }
        }
    }
}
