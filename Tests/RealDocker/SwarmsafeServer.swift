import Foundation

/// `swarmsafe serve` on a state directory, answering the docker CLI on a unix socket of its
/// own: the writes a test makes through it are then judged by a real dockerd booting the
/// same folder. Started and stopped by pid, bounded in time, like the daemons.
public final class SwarmsafeServer: @unchecked Sendable {
    public let socket: String
    public let log: URL
    private var process: Spawned?

    public var host: String { "unix://\(socket)" }

    /// Starts serving `stateDirectory` and waits until the docker CLI gets an answer.
    public init(stateDirectory: URL, folder: URL, timeout: TimeInterval = 60) throws {
        // Unix socket paths are limited to 108 bytes.
        socket = "/tmp/ssrd-\(UUID().uuidString.prefix(8)).sock"
        log = folder.appendingPathComponent("serve.log")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let logFD = open(log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        let nullFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            close(logFD)
            close(nullFD)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["SWARMSAFE_UNLOCK_KEY"] = nil
        let process = try Spawned.start(
            SwarmsafeCLI.binary, ["serve", "--state-dir", stateDirectory.path, "--socket", socket],
            environment: environment, stdin: nullFD, stdout: logFD, stderr: logFD)
        self.process = process
        try waitUntil("swarmsafe serve answering on \(socket)", timeout: timeout, every: 0.2) {
            if process.poll() != nil {
                self.process = nil
                throw HarnessError.daemonDied(name: "swarmsafe serve", log: DockerLab.tail(of: log))
            }
            return try docker(["version", "--format", "{{.Server.Version}}"], timeout: 10).succeeded
        }
    }

    deinit { stop() }

    /// The docker CLI against the embedded manager, whatever it answers.
    public func docker(_ arguments: [String], timeout: TimeInterval = 60, input: Data? = nil) throws -> CommandResult {
        try BoundedCommand.run("docker", ["-H", host] + arguments, timeout: timeout, input: input)
    }

    /// The docker CLI; a failure throws with everything it printed.
    @discardableResult
    public func expectDocker(_ arguments: [String], timeout: TimeInterval = 60, input: Data? = nil) throws -> CommandResult {
        let result = try docker(arguments, timeout: timeout, input: input)
        guard result.succeeded else { throw HarnessError.commandFailed(result) }
        return result
    }

    /// SIGTERM, as an operator's Ctrl-C; SIGKILL after `grace`. Returns the exit status.
    @discardableResult
    public func stop(grace: TimeInterval = 30) -> Int32? {
        guard let process else { return nil }
        self.process = nil
        kill(process.pid, SIGTERM)
        if let status = process.wait(timeout: grace) { return status }
        kill(process.pid, SIGKILL)
        return process.wait(timeout: 10)
    }
}
