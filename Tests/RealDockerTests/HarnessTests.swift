import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// The harness itself: a real swarm whose service really runs, a crash and a restart, and
    /// a shutdown that leaves no process and no mount behind.
    @Suite struct Harness {
        @Test func aRealSwarmRunsAServiceSurvivesAKillAndLeavesNothingBehind() throws {
            let lab = try DockerLab()
            let root = lab.root.path
            do {
                defer { lab.shutdown() }
                let engine = try lab.engine("m1")
                try engine.swarmInit()
                try engine.importBusybox()
                try engine.docker(["service", "create", "--detach", "--name", "web", "--replicas", "2", DockerEngine.busybox, "sleep", "1d"])
                try waitRunning(engine, "web")
                let info = try engine.swarmInfo()
                #expect(info["NodeAddr"] as? String == engine.ip)
                #expect(FileManager.default.fileExists(atPath: engine.stateDirectory.appendingPathComponent("docker-state.json").path))

                engine.kill9()
                #expect(!engine.isRunning)
                try engine.start()
                try waitActiveManager(engine)
                try waitRunning(engine, "web")
            }
            #expect(ProcessTable.processes(mentioning: root).isEmpty)
            #expect(ProcessTable.mounts(under: root).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: root))
        }
    }
}
