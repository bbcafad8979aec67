import Foundation
import SwarmFormats

/// The real docker CLI against a state directory: `swarmsafe serve` runs on a private socket
/// for the length of a few docker commands, and is stopped with SIGTERM. The demo deploys
/// its stack this way, and shows the restored cluster this way.
struct DockerShowcase {
    let executable: String
    let docker: String
    let stateDirectory: StateDirectory
    let unlockKeyFile: String
    let socket: String

    /// Runs each command (docker's arguments, without `-H`) in `directory`; returns a
    /// transcript, `$ docker …` then its output. A failing command throws with its output.
    func run(_ commands: [[String]], in directory: String? = nil) throws -> [String] {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: executable)
        server.arguments = [
            "serve", "--state-dir", stateDirectory.path, "--socket", socket, "--unlock-key-file", unlockKeyFile,
        ]
        let ready = Pipe()
        server.standardOutput = ready
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            if server.isRunning {
                server.terminate()
                server.waitUntilExit()
            }
        }
        // The server prints one line once it listens.
        guard waitForLine(ready.fileHandleForReading, containing: "serving", seconds: 20) else {
            throw DemoError.step("swarmsafe serve did not start")
        }
        var transcript: [String] = []
        for arguments in commands {
            transcript.append("$ docker " + arguments.joined(separator: " "))
            transcript += try runDocker(arguments, in: directory)
        }
        return transcript
    }

    private func runDocker(_ arguments: [String], in directory: String?) throws -> [String] {
        let client = Process()
        client.executableURL = URL(fileURLWithPath: docker)
        client.arguments = ["-H", "unix://\(socket)"] + arguments
        if let directory { client.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_CONFIG"] = (socket as NSString).deletingLastPathComponent + "/docker-config"
        client.environment = environment
        let output = Pipe()
        client.standardOutput = output
        client.standardError = output
        try client.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        client.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard client.terminationStatus == 0 else {
            throw DemoError.step("docker \(arguments.prefix(2).joined(separator: " ")) failed: \(lines.joined(separator: " "))")
        }
        return lines
    }

    private func waitForLine(_ handle: FileHandle, containing text: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = Data()
        while Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { return false }
            buffer.append(chunk)
            if String(decoding: buffer, as: UTF8.self).contains(text) { return true }
        }
        return false
    }
}
