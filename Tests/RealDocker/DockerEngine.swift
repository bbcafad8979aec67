import Foundation

/// One real dockerd of a `DockerLab`: its folder holds the data root (`root/`, whose `swarm/`
/// is the swarm state directory), exec root, socket, pidfile and log. It runs detached from
/// the test (its own session, as a service manager would run it), so that scripts — the
/// playbooks' start and stop commands — can drive it the same way; it is always found by its
/// pidfile and stopped by pid.
public final class DockerEngine: @unchecked Sendable {
    public let name: String
    public let folder: URL
    /// Its own loopback address: swarm listens and advertises there, on `port`.
    public let ip: String
    public let port = 2377
    let containerdSocket: String

    init(name: String, folder: URL, ip: String, containerdSocket: String) {
        self.name = name
        self.folder = folder
        self.ip = ip
        self.containerdSocket = containerdSocket
    }

    public var address: String { "\(ip):\(port)" }
    public var socket: String { folder.appendingPathComponent("docker.sock").path }
    public var host: String { "unix://\(socket)" }
    public var dataRoot: URL { folder.appendingPathComponent("root") }
    /// What Docker keeps in /var/lib/docker/swarm.
    public var stateDirectory: URL { dataRoot.appendingPathComponent("swarm") }
    public var pidfile: URL { folder.appendingPathComponent("docker.pid") }
    public var logFile: URL { folder.appendingPathComponent("dockerd.log") }

    var dockerdArguments: [String] {
        [
            "--data-root", dataRoot.path, "--exec-root", folder.appendingPathComponent("exec").path,
            "--pidfile", pidfile.path, "-H", host, "--containerd", containerdSocket,
            "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
        ]
    }

    /// The daemon's pid while it runs.
    public var pid: pid_t? {
        guard let text = try? String(contentsOf: pidfile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            ProcessTable.isAlive(pid), ProcessTable.commandLine(pid).contains(folder.path)
        else { return nil }
        return pid
    }

    public var isRunning: Bool { pid != nil }

    /// Starts dockerd and waits until it answers; a daemon that exits or never answers fails
    /// with the end of its log.
    public func start(timeout: TimeInterval = 60) throws {
        guard !isRunning else { return }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // A daemon that died by itself (a panic) leaves its pidfile naming a zombie, as
        // `kill9` explains; no live daemon of ours has it (isRunning said so).
        try? FileManager.default.removeItem(at: pidfile)
        let result = try BoundedCommand.run("/bin/sh", ["-c", startScript], timeout: 30)
        guard result.succeeded else { throw HarnessError.commandFailed(result) }
        let started = Date()
        try waitUntil("dockerd \(name) answering on \(socket)", timeout: timeout) {
            if try tryDocker(["version", "--format", "{{.Server.Version}}"], timeout: 10).succeeded { return true }
            // setsid -f returns before the daemon is up; once it had time to appear, no
            // process of ours means it has exited.
            if Date().timeIntervalSince(started) > 3, daemonProcesses.isEmpty {
                throw HarnessError.daemonDied(name: "dockerd \(name)", log: logTail())
            }
            return false
        }
    }

    /// Live dockerd processes started with this engine's pidfile.
    var daemonProcesses: [pid_t] {
        ProcessTable.processes(mentioning: pidfile.path).filter { ProcessTable.commandLine($0).hasPrefix("dockerd") }
    }

    /// A shell command that starts this daemon detached (`setsid -f`), appending to its log:
    /// what the harness runs, and what an inventory's start command can run.
    public var startScript: String {
        let arguments = dockerdArguments.map(Self.quoted).joined(separator: " ")
        return "setsid -f dockerd \(arguments) >>\(Self.quoted(logFile.path)) 2>&1 </dev/null"
    }

    /// A shell command that stops it by its pidfile and waits up to 60 s for it to go (a
    /// zombie counts as gone: nobody may be left to reap it).
    public var stopScript: String {
        let file = Self.quoted(pidfile.path)
        return "p=$(cat \(file) 2>/dev/null) || exit 0; [ -n \"$p\" ] || exit 0; kill -TERM \"$p\" 2>/dev/null || exit 0; "
            + "for i in $(seq 1 600); do kill -0 \"$p\" 2>/dev/null || exit 0; "
            + "grep -q '^State:.*Z' /proc/\"$p\"/status 2>/dev/null && exit 0; sleep 0.1; done; exit 1"
    }

    /// Stops dockerd cleanly (it stops its containers first), bounded; then undoes its mounts.
    public func stop(grace: TimeInterval = 45) {
        if let pid { ProcessTable.stop(pid, grace: grace) }
        ProcessTable.unmountAll(under: folder.path)
    }

    /// A crash: SIGKILL, no chance to stop containers or write anything. The pidfile it
    /// leaves is removed once the process is gone: on these machines nothing reaps an
    /// orphaned daemon, and dockerd (also when a playbook's start command starts it) refuses
    /// to start while the zombie its pidfile names exists; after a real crash the machine
    /// reboots and there is no zombie.
    public func kill9() {
        guard let pid else { return }
        kill(pid, SIGKILL)
        ProcessTable.waitGone(pid, timeout: 10)
        try? FileManager.default.removeItem(at: pidfile)
    }

    /// The docker CLI against this daemon; a failure throws with everything it printed.
    @discardableResult
    public func docker(_ arguments: [String], timeout: TimeInterval = 120, input: Data? = nil) throws -> CommandResult {
        let result = try tryDocker(arguments, timeout: timeout, input: input)
        guard result.succeeded else { throw HarnessError.commandFailed(result) }
        return result
    }

    /// The docker CLI, whatever it answers.
    public func tryDocker(_ arguments: [String], timeout: TimeInterval = 120, input: Data? = nil) throws -> CommandResult {
        try BoundedCommand.run("docker", ["-H", host] + arguments, environment: ["DOCKER_CONFIG": folder.appendingPathComponent("cli").path],
            timeout: timeout, input: input)
    }

    /// `docker info`'s Swarm section.
    public func swarmInfo() throws -> [String: Any] {
        try docker(["info", "--format", "{{json .Swarm}}"]).json
    }

    /// `docker swarm init` on this engine's address; returns the unlock key with `autolock`.
    @discardableResult
    public func swarmInit(autolock: Bool = false) throws -> String? {
        var arguments = ["swarm", "init", "--advertise-addr", address, "--listen-addr", address]
        if autolock { arguments.append("--autolock") }
        let result = try docker(arguments)
        guard autolock else { return nil }
        return result.stdout.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("SWMKEY-1-") }.map(String.init)
    }

    /// `docker swarm join` to `manager` with its token for `role`, on this engine's address.
    public func join(_ manager: DockerEngine, as role: String) throws {
        let token = try manager.docker(["swarm", "join-token", "-q", role]).lines.first ?? ""
        try docker([
            "swarm", "join", "--token", token, "--advertise-addr", address, "--listen-addr", address, manager.address,
        ])
    }

    /// The `local/busybox:1` image built from Debian's busybox-static: no registry is
    /// reachable, and a service whose image cannot be pulled never runs.
    public func importBusybox() throws {
        let image = folder.appendingPathComponent("busybox-image")
        let bin = image.appendingPathComponent("bin")
        try? FileManager.default.removeItem(at: image)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try BoundedCommand.resolve("busybox"), toPath: bin.appendingPathComponent("busybox").path)
        for tool in ["sh", "sleep", "echo", "cat", "ls", "true"] {
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(tool).path, withDestinationPath: "busybox")
        }
        let pipeline = "tar -C \(Self.quoted(image.path)) -c . | docker -H \(Self.quoted(host)) import - \(Self.busybox)"
        let result = try BoundedCommand.run("/bin/sh", ["-c", pipeline], timeout: 120)
        guard result.succeeded else { throw HarnessError.commandFailed(result) }
    }

    public static let busybox = "local/busybox:1"

    /// The end of this daemon's log, for a failure message.
    public func logTail(lines: Int = 40) -> String { DockerLab.tail(of: logFile, lines: lines) }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
