import Foundation
import SwarmFormats
import SwarmNode
import SwarmStore
import SwarmTestSupport
import Testing

/// `swarmsafe serve` judged by the real docker CLI: every assertion is on what `docker …`
/// prints or exits with, against fixture folders produced by real swarmkit.
// No docker CLI is a failure with the reason (DockerCLI.run), never a skip.
@Suite(.serialized)
struct ServeDockerCLITests {
    // MARK: single manager: read, change, restart, read back

    @Test func singleManagerReadsChangesAndKeepsThemAcrossARestart() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let expected = try Fixtures.expected("single-manager")
        let selfID = try #require((expected["nodes"] as? [String: String])?["manager-1"])
        var server = try ServeProcess.start(folder)
        defer { server.stopIfRunning() }
        let docker = DockerCLI(socket: server.socket)

        let info = try docker.ok(["info"])
        #expect(info.contains("Swarm: active"))
        #expect(info.contains("Is Manager: true"))
        #expect(info.contains("NodeID: \(selfID)"))
        #expect(info.contains("ClusterID: \(expected["cluster_id"] as? String ?? "?")"))
        #expect(info.contains("Managers: 1"))

        let nodes = try docker.ok(["node", "ls"])
        let selfLine = try #require(nodes.split(separator: "\n").first { $0.hasPrefix(selfID) })
        #expect(selfLine.contains("\(selfID) *"))
        #expect(selfLine.contains("Leader"))
        #expect(selfLine.contains("Ready"))
        #expect(try docker.ok(["node", "inspect", "self", "--format", "{{.ID}} {{.ManagerStatus.Leader}} {{.Status.State}}"])
            == "\(selfID) true ready")

        let services = try #require(expected["services"] as? [String: Int])
        #expect(try docker.serviceReplicas() == services.mapValues { "\($0)/\($0)" })
        #expect(try docker.ok(["service", "inspect", "web-0", "--format", "{{.Spec.Name}} {{.Spec.Mode.Replicated.Replicas}}"])
            == "web-0 \(services["web-0"] ?? -1)")
        let web1Tasks = try docker.lines(["service", "ps", "web-1", "--format", "{{.ID}} {{.Name}} {{.DesiredState}}"])
        #expect(web1Tasks.count == services["web-1"])
        #expect(web1Tasks.allSatisfy { $0.hasSuffix("Running") })
        #expect(try docker.lines(["secret", "ls", "--format", "{{.Name}}"]).sorted() == (expected["secrets"] as? [String])?.sorted())
        #expect(try docker.lines(["config", "ls", "--format", "{{.Name}}"]).sorted() == (expected["configs"] as? [String])?.sorted())
        let networks = try docker.lines(["network", "ls", "--format", "{{.Name}} {{.Scope}}"])
        for name in expected["networks"] as? [String] ?? [] { #expect(networks.contains("\(name) swarm")) }

        // Changes, each one a raft entry.
        let created = try docker.run(["service", "create", "--detach", "--name", "web", "--replicas", "2", "nginx:alpine"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 25)
        #expect(try docker.serviceReplicas()["web"] == "0/2")
        let duplicate = try docker.run(["service", "create", "--detach", "--name", "web", "nginx:alpine"])
        #expect(duplicate.status != 0)
        #expect(duplicate.stderr.contains("already exists"))
        #expect(try docker.ok(["service", "scale", "--detach", "web=3"]).contains("web scaled to 3"))
        #expect(try docker.lines(["service", "ps", "web", "--format", "{{.Name}}"]).sorted() == ["web.1", "web.2", "web.3"])
        // Scaling a running service adds a slot and leaves the running tasks alone.
        _ = try docker.ok(["service", "scale", "--detach", "web-1=3"])
        let afterScale = try docker.lines(["service", "ps", "web-1", "--format", "{{.ID}} {{.Name}} {{.DesiredState}}"])
        for task in web1Tasks { #expect(afterScale.contains(task)) }
        #expect(afterScale.count == 3)
        #expect(try docker.ok(["service", "rm", "web-2"]) == "web-2")
        let secretID = try docker.ok(["secret", "create", "newpw", "-"], stdin: "s3cret\n")
        #expect(secretID.count == 25)
        #expect(try docker.ok(["node", "update", "--availability", "drain", "self"]) == "self")
        #expect(try docker.ok(["node", "inspect", "self", "--format", "{{.Spec.Availability}}"]) == "drain")
        let missing = try docker.run(["service", "inspect", "nosuch"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nosuch"))

        #expect(server.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: server.socket))

        // Everything is on disk: a second run sees it...
        server = try ServeProcess.start(folder)
        let again = DockerCLI(socket: server.socket)
        let replicas = try again.serviceReplicas()
        #expect(replicas["web"] == "0/3")
        #expect(replicas["web-1"] == "2/3")
        #expect(replicas["web-2"] == nil)
        #expect(try again.lines(["secret", "ls", "--format", "{{.Name}}"]).contains("newpw"))
        #expect(try again.ok(["node", "inspect", "self", "--format", "{{.Spec.Availability}}"]) == "drain")
        #expect(server.stop() == 0)

        // ...and so does our own loader, without a single warning.
        let loaded = try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: folder.path))
        #expect(loaded.warnings == [])
        let names = try #require(loaded.cluster).store.objects(.service).compactMap { stored -> String? in
            guard case .service(let service)? = try? stored.decoded() else { return nil }
            return service.spec.annotations.name
        }
        #expect(Set(names) == ["web", "web-0", "web-1"])
    }

    // MARK: three managers: refused as is, served after force-new-cluster

    // MARK: networks, and what is not served

    @Test func aStackIsDeployedUpdatedListedAndRemovedAsAgainstDocker() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try ServeProcess.start(folder)
        defer { server.stopIfRunning() }
        let docker = DockerCLI(socket: server.socket)
        let stack = parent.appendingPathComponent("stack")
        try FileManager.default.createDirectory(at: stack, withIntermediateDirectories: true)
        let compose = """
            version: "3.8"
            services:
              web:
                image: nginx:alpine
                ports: ["8080:80", "443"]
                networks: [front]
                secrets: [db_pass]
                deploy: {replicas: 2, placement: {constraints: [node.role == manager]}}
              batch:
                image: busybox
                deploy: {placement: {constraints: [node.labels.kind == batch]}}
            networks:
              front: {}
            secrets:
              db_pass: {file: ./db_pass.txt}

            """
        try Data(compose.utf8).write(to: stack.appendingPathComponent("compose.yml"))
        try Data("s3cret".utf8).write(to: stack.appendingPathComponent("db_pass.txt"))
        let deploy = ["stack", "deploy", "--detach=true", "-c", stack.appendingPathComponent("compose.yml").path, "shop"]
        _ = try docker.ok(deploy)
        // Deployed again: the secret is sent again (labels only may change) and services update.
        _ = try docker.ok(deploy)
        #expect(try docker.lines(["stack", "ls", "--format", "{{.Name}} {{.Services}}"]) == ["shop 2"])
        #expect(try docker.lines(["stack", "services", "shop", "--format", "{{.Name}}={{.Ports}}"]).sorted()
            == ["shop_batch=", "shop_web=*:8080->80/tcp, *:30000->443/tcp"])
        let tasks = try docker.lines(["stack", "ps", "shop", "--no-trunc", "--format", "{{.Name}}|{{.CurrentState}}|{{.Error}}"]).sorted()
        #expect(tasks.count == 3, "\(tasks)")
        #expect(tasks.filter { $0.hasPrefix("shop_web.") }.allSatisfy { $0.contains("|Assigned ") }, "\(tasks)")
        #expect(tasks.first { $0.hasPrefix("shop_batch.1") }?.contains("no suitable node (scheduling constraints not satisfied on 1 node)") == true, "\(tasks)")
        // The node gets the label the constraint asks for: the pending task is placed.
        _ = try docker.ok(["node", "update", "--label-add", "kind=batch", "self"])
        #expect(try docker.lines(["stack", "ps", "shop", "--filter", "name=shop_batch", "--format", "{{.CurrentState}}"])
            .allSatisfy { $0.hasPrefix("Assigned") })
        let logs = try docker.run(["service", "logs", "shop_web"])
        #expect(logs.status != 0 && logs.stderr.contains("does not serve GET /services/shop_web/logs"), "\(logs.stderr)")

        _ = try docker.ok(["stack", "rm", "shop"])
        #expect(try docker.lines(["stack", "ls", "--format", "{{.Name}}"]).isEmpty)
        #expect(try docker.lines(["service", "ls", "--filter", "label=com.docker.stack.namespace=shop", "-q"]).isEmpty)
        #expect(try docker.lines(["service", "ls", "--filter", "name=web-0", "-q"]).count == 1)
        #expect(try docker.lines(["secret", "ls", "--filter", "label=com.docker.stack.namespace=shop", "-q"]).isEmpty)
        #expect(try docker.lines(["network", "ls", "--filter", "label=com.docker.stack.namespace=shop", "-q"]).isEmpty)
    }

    @Test func networksAreCreatedInspectedAndRemovedAsSwarmkitDoes() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        var server = try ServeProcess.start(folder)
        defer { server.stopIfRunning() }
        let docker = DockerCLI(socket: server.socket)

        let id = try docker.ok([
            "network", "create", "--driver", "overlay", "--attachable", "--internal", "--label", "tier=back",
            "--subnet", "10.20.0.0/24", "--gateway", "10.20.0.1", "backnet",
        ])
        #expect(id.count == 25)
        #expect(try docker.lines(["network", "ls", "--filter", "name=backnet", "--format", "{{.Name}} {{.Scope}} {{.Driver}}"])
            == ["backnet swarm overlay"])
        #expect(try docker.ok([
            "network", "inspect", "backnet", "--format",
            "{{.Id}} {{.Attachable}} {{.Internal}} {{.Labels.tier}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.IPAM.Driver}}",
        ]) == "\(id) true true back 10.20.0.0/24 10.20.0.1 default")

        let duplicate = try docker.run(["network", "create", "--driver", "overlay", "backnet"])
        #expect(duplicate.status != 0 && duplicate.stderr.contains("network with name backnet already exists"), "\(duplicate.stderr)")
        let local = try docker.run(["network", "create", "plain"])
        #expect(local.status != 0 && local.stderr.contains("keeps only swarm-scoped networks: use --driver overlay"), "\(local.stderr)")
        let predefined = try docker.run(["network", "create", "--driver", "overlay", "host"])
        #expect(predefined.status != 0 && predefined.stderr.contains("host is a pre-defined network and cannot be created"))
        let badSubnet = try docker.run(["network", "create", "--driver", "overlay", "--subnet", "10.300.0.0/24", "odd"])
        #expect(badSubnet.status != 0 && badSubnet.stderr.contains("invalid subnet 10.300.0.0/24"), "\(badSubnet.stderr)")
        let overlapping = try docker.run(["network", "create", "--driver", "overlay", "--subnet", "10.20.0.128/25", "clash"])
        #expect(overlapping.status != 0
            && overlapping.stderr.contains("network clash: subnet 10.20.0.128/25 overlaps 10.20.0.0/24 of network backnet"),
            "\(overlapping.stderr)")
        #expect(try docker.lines(["network", "ls", "--filter", "name=clash", "-q"]).isEmpty)
        #expect(try docker.lines(["network", "ls", "--filter", "name=plain", "-q"]).isEmpty)

        // In use by a service: refused as swarmkit refuses it; free again once the service is gone.
        _ = try docker.ok(["service", "create", "--detach", "--name", "api", "--network", "backnet", "nginx:alpine"])
        #expect(try docker.ok(["service", "inspect", "api", "--format", "{{range .Spec.TaskTemplate.Networks}}{{.Target}}{{end}}"]) == id)
        let inUse = try docker.run(["network", "rm", "backnet"])
        #expect(inUse.status != 0 && inUse.stderr.contains("is in use by service"), "\(inUse.stderr)")
        _ = try docker.ok(["service", "rm", "api"])

        // Kept across a restart, removed for good after.
        #expect(server.stop() == 0)
        server = try ServeProcess.start(folder)
        let again = DockerCLI(socket: server.socket)
        #expect(try again.lines(["network", "ls", "--filter", "name=backnet", "-q"]).count == 1)
        #expect(try again.ok(["network", "rm", "backnet"]) == "backnet")
        #expect(try again.lines(["network", "ls", "--filter", "name=backnet", "-q"]).isEmpty)

        // Engine-only commands are answered, not "page not found".
        let ps = try again.run(["ps"])
        #expect(ps.status != 0)
        #expect(ps.stderr.contains("does not serve GET /containers/json"), "\(ps.stderr)")
        #expect(!ps.stderr.contains("page not found"))
        #expect(server.stop() == 0)
    }

    @Test func haManagerIsServedOnlyAfterForceNewCluster() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("ha-3mgr-snapshot", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let refused = try ServeProcess.run(folder)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("recover --force-new-cluster"))
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")

        let recovered = try CLIRunner.run(["recover", "--force-new-cluster", "--state-dir", folder.path])
        #expect(recovered.status == 0, "\(recovered.stderr)")
        let expected = try Fixtures.expected("ha-3mgr-snapshot")
        let ids = try #require(expected["nodes"] as? [String: String])
        let server = try ServeProcess.start(folder)
        defer { server.stopIfRunning() }
        let docker = DockerCLI(socket: server.socket)

        let nodes = try docker.lines(["node", "ls", "--format", "{{.ID}}|{{.Self}}|{{.ManagerStatus}}"])
        #expect(nodes.count == ids.count)
        #expect(nodes.contains("\(ids["manager-1"] ?? "?")|true|Leader"))
        #expect(nodes.contains("\(ids["manager-2"] ?? "?")|false|Unreachable"))
        #expect(nodes.contains("\(ids["worker-1"] ?? "?")|false|"))
        let info = try docker.ok(["info"])
        #expect(info.contains("Managers: 3"))
        #expect(info.contains("Nodes: \(ids.count)"))
        let services = try #require(expected["services"] as? [String: Int])
        // The fixture lists global services with 0 replicas; they run one task per node.
        #expect(try docker.serviceReplicas() == services.mapValues { $0 == 0 ? "\(ids.count)/\(ids.count)" : "\($0)/\($0)" })
    }

    // MARK: autolock

    @Test func lockedSwarmAnswersLockedUntilDockerSwarmUnlock() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("autolock-3mgr", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let key = try #require(Fixtures.unlockKey("autolock-3mgr"))
        let recovered = try CLIRunner.run(["recover", "--force-new-cluster", "--state-dir", folder.path, "--unlock-key", key])
        #expect(recovered.status == 0, "\(recovered.stderr)")

        // A well-formed key that is not this swarm's is refused at start.
        let wrong = try ServeProcess.run(folder, ["--unlock-key", "SWMKEY-1-" + String(repeating: "A", count: 43)])
        #expect(wrong.status == 3, "\(wrong.stderr)")

        let server = try ServeProcess.start(folder)
        defer { server.stopIfRunning() }
        let docker = DockerCLI(socket: server.socket)
        #expect(try docker.ok(["info"]).contains("Swarm: locked"))
        let lockedList = try docker.run(["node", "ls"])
        #expect(lockedList.status == 1)
        #expect(lockedList.stderr.contains(
            "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it."))

        let badUnlock = try docker.run(["swarm", "unlock"], stdin: "SWMKEY-1-" + String(repeating: "A", count: 43) + "\n")
        #expect(badUnlock.status == 1)
        #expect(badUnlock.stderr.contains("invalid key provided"))
        let unlocked = try docker.run(["swarm", "unlock"], stdin: key + "\n")
        #expect(unlocked.status == 0, "\(unlocked.stderr)")
        #expect(try docker.ok(["info"]).contains("Swarm: active"))
        #expect(try docker.ok(["node", "ls", "--format", "{{.Self}} {{.ManagerStatus}}"]).contains("true Leader"))
        #expect(try docker.ok(["swarm", "unlock-key", "-q"]) == key)
    }

    // MARK: refusals and TCP

    @Test func refusalsAreOneLineWithTheirExitCodes() throws {
        let worker = try ServeProcess.run(Fixtures.folder("ha-3mgr-snapshot", "worker-1"))
        #expect(worker.status == 1)
        #expect(worker.stderr.contains("worker"))

        let remote = try CLIRunner.run(["serve", "--state-dir", "/nonexistent", "--listen", "0.0.0.0:2375"])
        #expect(remote.status == 2)
        #expect(remote.stderr.contains("loopback"))

        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try ServeProcess.start(folder)
        defer { server.stopIfRunning() }
        // The same folder twice: its log is held by the first server.
        let sameFolder = try ServeProcess.run(folder)
        #expect(sameFolder.status == 6, "\(sameFolder.stderr)")
        #expect(sameFolder.stderr.contains("locked by another process"))
        // Another folder on the same live socket would cut the first server off.
        let (otherParent, otherFolder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: otherParent) }
        let second = try ServeProcess.run(otherFolder, socket: server.socket)
        #expect(second.status == 6, "\(second.stderr)")
        #expect(second.stderr.contains("already listening"))
        #expect(try DockerCLI(socket: server.socket).ok(["node", "ls", "-q"]).count == 25)
    }

    @Test func servesOnALoopbackPort() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try ServeProcess.start(folder, listen: "127.0.0.1:0")
        defer { server.stopIfRunning() }
        #expect(server.host.hasPrefix("tcp://127.0.0.1:"))
        #expect(!server.host.hasSuffix(":0"))
        let docker = DockerCLI(host: server.host)
        #expect(try docker.ok(["version", "--format", "{{.Server.APIVersion}}"]) == "1.47")
        #expect(try docker.serviceReplicas()["web-0"] == "2/2")
    }
}

// MARK: - the docker CLI and the serve process

/// The real docker CLI pointed at one server, with a private config folder so the user's
/// contexts and credentials play no part.
struct DockerCLI {
    struct Failure: Error, CustomStringConvertible {
        let arguments: [String]
        let result: CLIRunner.Result
        var description: String { "docker \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)" }
    }

    static let path: String? = {
        let candidates = ["/usr/local/bin/docker"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/docker" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let configDirectory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-docker-config-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    let host: String

    init(socket: String) { host = "unix://" + socket }
    init(host: String) { self.host = host }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "no docker CLI at /usr/local/bin/docker or in PATH: run scripts/install-system-packages.sh" }
    }

    func run(_ arguments: [String], stdin: String? = nil) throws -> CLIRunner.Result {
        guard let path = Self.path else { throw Missing() }
        var environment = ProcessInfo.processInfo.environment
        for name in ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"] { environment.removeValue(forKey: name) }
        environment["DOCKER_CONFIG"] = Self.configDirectory.path
        return try ChildProcess.run(
            path, ["-H", host] + arguments, environment: environment, stdin: stdin,
            timeout: 120)
    }

    /// Standard output, trimmed, of a command that must succeed.
    func ok(_ arguments: [String], stdin: String? = nil) throws -> String {
        let result = try run(arguments, stdin: stdin)
        guard result.status == 0 else { throw Failure(arguments: arguments, result: result) }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func lines(_ arguments: [String]) throws -> [String] {
        try ok(arguments).split(separator: "\n").map(String.init)
    }

    /// `service ls` as name → REPLICAS ("running/desired").
    func serviceReplicas() throws -> [String: String] {
        var replicas: [String: String] = [:]
        for line in try lines(["service", "ls", "--format", "{{.Name}} {{.Replicas}}"]) {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { replicas[parts[0]] = parts[1] }
        }
        return replicas
    }
}

/// `swarmsafe serve` as a child process, started and waited for like an operator's shell does.
struct ServeProcess {
    let process: Process
    /// The unix socket path (empty when serving TCP).
    let socket: String
    /// The `-H` value from the ready line.
    let host: String

    static func freshSocket() -> String {
        // Short: a unix socket path has room for 107 bytes only.
        "/tmp/ssv-\(UUID().uuidString.prefix(8)).sock"
    }

    static func start(_ folder: URL, listen: String? = nil, _ extra: [String] = []) throws -> ServeProcess {
        let socket = listen == nil ? freshSocket() : ""
        let address = listen.map { ["--listen", $0] } ?? ["--socket", socket]
        let process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = ["serve", "--state-dir", folder.path] + address + extra
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SWARMSAFE_UNLOCK_KEY")
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        guard let line = ReadyLine.wait(on: output.fileHandleForReading, timeout: 120) else {
            process.terminate()
            process.waitUntilExit()
            throw ChildProcess.Failure("swarmsafe serve did not print its ready line (exit \(process.isRunning ? -1 : process.terminationStatus))")
        }
        // "serving <dir> on <host> (docker -H <host> info)…"
        let afterOn = line.components(separatedBy: " on ").dropFirst().joined(separator: " on ")
        let host = afterOn.components(separatedBy: " (").first ?? ""
        return ServeProcess(process: process, socket: socket, host: host)
    }

    /// A serve that is expected to refuse: its exit status and output. One that serves anyway
    /// is stopped after a while so the test fails instead of hanging.
    static func run(_ folder: URL, _ extra: [String] = [], socket: String? = nil) throws -> CLIRunner.Result {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SWARMSAFE_UNLOCK_KEY")
        return try ChildProcess.run(
            CLIRunner.binary.path, ["serve", "--state-dir", folder.path, "--socket", socket ?? freshSocket()] + extra,
            environment: environment, stdin: nil, timeout: 30)
    }

    /// SIGTERM, as systemd or an operator's Ctrl-C sends; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func stopIfRunning() {
        if process.isRunning { stop() }
    }
}

/// Reads a pipe until the ready line arrives (or the process closes its output).
private final class ReadyLine: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    private let ready = DispatchSemaphore(value: 0)

    static func wait(on handle: FileHandle, timeout: TimeInterval) -> String? {
        let reader = ReadyLine()
        Thread.detachNewThread {
            var signalled = false
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                reader.lock.lock()
                reader.text += String(decoding: chunk, as: UTF8.self)
                let complete = reader.text.contains("serving ") && reader.text.contains("\n")
                reader.lock.unlock()
                if complete && !signalled {
                    signalled = true
                    reader.ready.signal()
                }
            }
            if !signalled { reader.ready.signal() }
        }
        guard reader.ready.wait(timeout: .now() + timeout) == .success else { return nil }
        reader.lock.lock()
        defer { reader.lock.unlock() }
        return reader.text.split(separator: "\n").first { $0.hasPrefix("serving ") }.map(String.init)
    }
}

/// Runs a program to completion with a deadline, collecting both outputs.
enum ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: String?, timeout: TimeInterval
    ) throws -> CLIRunner.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let collected = Collected()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { collected.stdout = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { collected.stderr = err.fileHandleForReading.readDataToEndOfFile() }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            group.wait()
        }
        process.waitUntilExit()
        return CLIRunner.Result(
            status: process.terminationStatus, stdout: String(decoding: collected.stdout, as: UTF8.self),
            stderr: String(decoding: collected.stderr, as: UTF8.self))
    }

    private final class Collected: @unchecked Sendable {
        var stdout = Data()
        var stderr = Data()
    }
}
