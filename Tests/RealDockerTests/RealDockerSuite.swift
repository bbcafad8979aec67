import Foundation
import RealDocker
import Testing

/// Every scenario that boots a real dockerd, one at a time: daemons share two cores, and each
/// scenario's daemons live on addresses and folders of its own. The scenarios are nested in
/// this suite (in extensions, one file each) so the serialization covers all of them.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RealDockerSuite {}

/// A lab for one scenario, always shut down, also when the scenario fails.
func withLab<T>(_ body: (DockerLab) throws -> T) throws -> T {
    let lab = try DockerLab()
    defer { lab.shutdown() }
    return try body(lab)
}

/// A fresh temporary folder (removed by the caller's `defer`).
func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-rd-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The names of `docker KIND ls`, sorted.
func names(_ engine: DockerEngine, _ kind: String, filter: [String] = []) throws -> [String] {
    try engine.docker([kind, "ls"] + filter + ["--format", "{{.Name}}"]).lines.sorted()
}

/// `docker service ls`'s REPLICAS column of one service (e.g. "2/2").
func replicas(_ engine: DockerEngine, _ service: String) throws -> String {
    try engine.docker(["service", "ls", "--filter", "name=\(service)", "--format", "{{.Name}} {{.Replicas}}"]).lines
        .first { $0.hasPrefix(service + " ") }?.split(separator: " ").last.map(String.init) ?? ""
}

/// Waits until `service` runs `want` replicas.
func waitRunning(_ engine: DockerEngine, _ service: String, _ want: String = "2/2", timeout: TimeInterval = 90) throws {
    try waitUntil("service \(service) at \(want) on \(engine.name)", timeout: timeout, every: 0.5) {
        try replicas(engine, service) == want
    }
}

/// Waits until the engine's swarm is active with a reachable control plane.
func waitActiveManager(_ engine: DockerEngine, timeout: TimeInterval = 60) throws {
    try waitUntil("\(engine.name) an active manager with a leader", timeout: timeout, every: 0.5) {
        let info = try engine.swarmInfo()
        guard info["LocalNodeState"] as? String == "active", info["ControlAvailable"] as? Bool == true else { return false }
        return try engine.tryDocker(["node", "ls", "--format", "{{.ManagerStatus}}"], timeout: 20).lines.contains("Leader")
    }
}

/// A one-manager swarm made by dockerd with a secret `kept` and a service `web` running one
/// busybox task; the daemon is stopped, so the folder can be worked on offline.
func makeSmallSwarm(_ engine: DockerEngine) throws {
    try engine.swarmInit()
    try engine.importBusybox()
    try engine.docker(["secret", "create", "kept", "-"], input: Data("1".utf8))
    try engine.docker(["service", "create", "--detach", "--name", "web", "--replicas", "1", DockerEngine.busybox, "sleep", "1d"])
    try waitRunning(engine, "web", "1/1")
    engine.stop()
}

/// Prints what the real engine showed, so the test log reads as evidence.
func show(_ title: String, _ text: String) {
    print("== \(title)\n\(text)")
}
