import Foundation

/// What a finished command printed, and how it ended.
public struct CommandResult: Sendable, CustomStringConvertible {
    public let command: String
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var succeeded: Bool { status == 0 }

    /// stdout parsed as one JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
    }

    /// Lines of stdout, trimmed, empty ones dropped: what `--format '{{…}}'` prints.
    public var lines: [String] {
        stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public var description: String {
        "`\(command)` exited \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)"
    }
}

/// Runs a program to the end, or kills it when it takes longer than its bound: a test that
/// drives daemons must never hang on one.
public enum BoundedCommand {
    /// `unsetting` names variables of the test's own environment the command must not see
    /// (an empty value is not the same as none to every tool: the AWS CLI takes an empty
    /// AWS_PROFILE for a profile named "").
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        unsetting: [String] = [], timeout: TimeInterval = 120, input: Data? = nil
    ) throws -> CommandResult {
        let command = ([executable] + arguments).joined(separator: " ")
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        for name in unsetting { env.removeValue(forKey: name) }
        let out = try DrainedPipe()
        let err = try DrainedPipe()
        var inputFDs: [Int32] = [0, 0]
        if input != nil {
            inputFDs = try makePipe()
        } else {
            inputFDs[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)
        }
        let child: Spawned
        do {
            child = try Spawned.start(
                try resolve(executable), arguments, environment: env, stdin: inputFDs[0], stdout: out.writeEnd,
                stderr: err.writeEnd)
        } catch {
            close(inputFDs[0])
            if input != nil { close(inputFDs[1]) }
            close(out.writeEnd); close(out.readEnd); close(err.writeEnd); close(err.readEnd)
            throw error
        }
        close(inputFDs[0])
        out.startDraining()
        err.startDraining()
        if let input {
            let writeEnd = inputFDs[1]
            Thread {
                input.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let n = write(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
                        if n <= 0 { if errno == EINTR { continue } else { break } }
                        offset += n
                    }
                }
                close(writeEnd)
            }.start()
        }
        guard let status = child.wait(timeout: timeout) else {
            kill(child.pid, SIGKILL)
            _ = child.wait(timeout: 10)
            throw HarnessError.timedOut(
                what: command, seconds: timeout, detail: String(decoding: err.collected(timeout: 1), as: UTF8.self))
        }
        // A daemon forked away may keep our pipes open; what the command itself printed is
        // there by now.
        return CommandResult(
            command: command, status: status,
            stdout: String(decoding: out.collected(timeout: 5), as: UTF8.self),
            stderr: String(decoding: err.collected(timeout: 5), as: UTF8.self))
    }

    /// A bare name is looked up on PATH, as a shell would.
    static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        // Debian puts dockerd in /usr/sbin, which a test runner's PATH may lack.
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw HarnessError.missingTool(executable)
    }
}
