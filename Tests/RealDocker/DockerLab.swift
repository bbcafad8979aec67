import Foundation

/// A private Docker installation for one test: a containerd and any number of dockerds, each
/// with its own data root, exec root, socket, pidfile and loopback address, all under one
/// folder of the test's own (never Docker's defaults, never 0.0.0.0). `shutdown()` stops them
/// by pid in the order Docker needs — every dockerd, then containerd, then what they left
/// mounted — and removes the folder. A lab left behind by a killed test process is cleaned up
/// by the next one.
public final class DockerLab: @unchecked Sendable {
    public let root: URL
    /// 127.A.B.0/24: A from this process, B from this lab, so labs and processes never share
    /// an address.
    let subnet: String
    private var containerd: Spawned?
    public private(set) var engines: [DockerEngine] = []
    private let lock = NSLock()

    static let prefix = "swarmsafe-docker-"
    /// Unix socket paths are limited to 108 bytes: labs live in /tmp, not under a deep
    /// $TMPDIR.
    static let parent = URL(fileURLWithPath: "/tmp")

    public var containerdSocket: String { root.appendingPathComponent("containerd.sock").path }

    public init() throws {
        try Self.requireTools()
        Self.removeAbandonedLabs()
        let tag = UUID().uuidString.prefix(6).lowercased()
        root = Self.parent.appendingPathComponent("\(Self.prefix)\(getpid())-\(tag)")
        subnet = "127.\(100 + getpid() % 100).\(UInt8.random(in: 1...250))"
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try startContainerd()
    }

    deinit { shutdown() }

    /// The tools the judge needs; a missing one fails the test with the way to install it.
    public static func requireTools() throws {
        for tool in ["dockerd", "containerd", "containerd-shim-runc-v2", "runc", "docker", "busybox"] {
            _ = try BoundedCommand.resolve(tool)
        }
        guard getuid() == 0 else {
            throw HarnessError.unexpected("a real dockerd needs root (mounts, namespaces); this test runs as uid \(getuid())")
        }
    }

    private func startContainerd() throws {
        let log = root.appendingPathComponent("containerd.log")
        let logFD = open(log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        let nullFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            close(logFD)
            close(nullFD)
        }
        let process = try Spawned.start(
            try BoundedCommand.resolve("containerd"),
            [
                "--root", root.appendingPathComponent("ctd-root").path,
                "--state", root.appendingPathComponent("ctd-state").path,
                "--address", containerdSocket,
            ],
            environment: ProcessInfo.processInfo.environment, stdin: nullFD, stdout: logFD, stderr: logFD)
        containerd = process
        try waitUntil("containerd socket \(containerdSocket)", timeout: 30) {
            if process.poll() != nil {
                containerd = nil
                throw HarnessError.daemonDied(name: "containerd", log: Self.tail(of: log))
            }
            return FileManager.default.fileExists(atPath: containerdSocket)
        }
    }

    /// A new dockerd named `name` on the next loopback address of this lab, started and
    /// answering.
    public func engine(_ name: String, start: Bool = true) throws -> DockerEngine {
        let engine: DockerEngine = lock.withLock {
            let ip = "\(subnet).\(engines.count + 1)"
            let engine = DockerEngine(
                name: name, folder: root.appendingPathComponent(name), ip: ip, containerdSocket: containerdSocket)
            engines.append(engine)
            return engine
        }
        if start { try engine.start() }
        return engine
    }

    /// Stops everything this lab started, by pid, each bounded in time; safe to call twice.
    public func shutdown() {
        let engines = lock.withLock { self.engines }
        for engine in engines { engine.stop() }
        if let containerd {
            kill(containerd.pid, SIGTERM)
            if containerd.wait(timeout: 15) == nil {
                kill(containerd.pid, SIGKILL)
                _ = containerd.wait(timeout: 10)
            }
        }
        containerd = nil
        Self.stopStragglers(of: root.path)
        ProcessTable.unmountAll(under: root.path)
        if ProcessTable.mounts(under: root.path).isEmpty {
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// Shims (and the containers under them) outlive a dockerd killed with -9 and a
    /// containerd stopped after it; they name our containerd socket on their command line.
    static func stopStragglers(of root: String) {
        for pid in ProcessTable.processes(mentioning: root) { ProcessTable.stop(pid, grace: 5) }
    }

    /// Labs of test processes that are gone: their daemons are stopped (they mention the
    /// lab's folder on their command line), their mounts undone, their folders removed.
    static func removeAbandonedLabs() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = pid_t(entry.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0,
                !ProcessTable.isAlive(pid)
            else { continue }
            let path = parent.appendingPathComponent(entry).path
            let dockerds = ProcessTable.processes(mentioning: path).filter {
                ProcessTable.commandLine($0).contains("dockerd")
            }
            for daemon in dockerds { ProcessTable.stop(daemon, grace: 20) }
            stopStragglers(of: path)
            ProcessTable.unmountAll(under: path)
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    static func tail(of log: URL, lines: Int = 40) -> String {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
