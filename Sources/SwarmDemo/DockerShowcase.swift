import Foundation
import SwarmFormats

/// Shows the restored cluster to the real docker CLI: `swarmsafe serve` runs on a private
/// socket, `docker service ls` asks it, and the server is stopped with SIGTERM.
struct DockerShowcase {
    let executable: String
    let docker: String
    let stateDirectory: StateDirectory
    let unlockKeyFile: String
    let socket: String

    func serviceList() throws -> [String] {
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
        let client = Process()
        client.executableURL = URL(fileURLWithPath: docker)
        client.arguments = ["-H", "unix://\(socket)", "service", "ls"]
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
            throw DemoError.step("docker service ls failed: \(lines.joined(separator: " "))")
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
