import Foundation
import Logging
import SwarmEngineAPI
import SwarmFormats
import SwarmManager
import SwarmTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The socket opens before the folder boots: a client that connects meanwhile is answered
/// once the boot is done, and a failed boot answers it with the boot's error and closes the
/// socket again.
@Suite(.serialized) struct EngineServerBootTests {
    static let host = HostInfo(
        hostname: "test", cpus: 1, memoryBytes: 1, kernelVersion: "6", machine: "x86_64", operatingSystem: "Linux",
        serverVersion: "test")

    /// A boot that waits until the test lets it go on. The boot blocks its own thread; the
    /// test polls, so that no thread of the concurrency pool (which the server and every
    /// other suite share) is blocked.
    final class HeldBoot: Sendable {
        let release = DispatchSemaphore(value: 0)
        private let began = Mutex(false)

        func start() {
            began.withLock { $0 = true }
            release.wait()
        }

        func untilStarted() async throws {
            try await poll(seconds: EngineServerBootTests.patience) { began.withLock { $0 } }
        }
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "boot-test")
        logger.logLevel = .critical
        return logger
    }

    /// How long a step may take. Alone these tests take seconds; in the full suite, where
    /// other suites' blocking calls hold the shared concurrency pool, one took 232 s and
    /// another ran out of a 60 s wait. A slow machine is not what they test.
    static let patience = 300

    static func socketPath() -> String { "/tmp/ssbt-\(UUID().uuidString.prefix(8)).sock" }

    /// The server on `path`, its boot held until the test releases it, then `boot`.
    static func serve(
        at path: String, held: HeldBoot, boot: @escaping @Sendable () throws -> EngineAPI,
        onReady: @escaping @Sendable (ListenAddress, EngineAPI) async -> Void = { _, _ in }
    ) -> Task<Void, any Error> {
        let server = EngineServer(address: .unixSocket(path: path), logger: quietLogger())
        return Task {
            try await server.run(boot: {
                held.start()
                return try boot()
            }, onReady: onReady)
        }
    }

    @Test func aRequestMadeDuringTheBootIsAnsweredOnceItIsDone() async throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Self.socketPath()
        let held = HeldBoot()
        let serving = Self.serve(at: path, held: held) {
            let manager = try EmbeddedManager(directory: StateDirectory(path: folder.path), unlockKey: nil)
            return EngineAPI(manager: manager, host: Self.host)
        }
        defer { serving.cancel() }
        try await held.untilStarted()
        let answer = RawHTTP.get("/v1.47/info", socket: path)
        try await answer.untilSent()
        // Asked while the boot is held: not answered yet.
        try await Task.sleep(for: .milliseconds(300))
        #expect(answer.response() == nil, "answered before the boot was done")
        held.release.signal()
        let response = try #require(await answer.answer(seconds: Self.patience), "no answer after the boot")
        #expect(response.hasPrefix("HTTP/1.1 200"), "\(response.prefix(200))")
        #expect(response.contains("\"Swarm\""))
        serving.cancel()
        _ = try? await serving.value
        #expect(!FileManager.default.fileExists(atPath: path), "the socket is removed when the server stops")
    }

    @Test func aFailedBootAnswersWaitingRequestsAndClosesTheSocket() async throws {
        let path = Self.socketPath()
        let held = HeldBoot()
        let serving = Self.serve(
            at: path, held: held, boot: { throw ManagerError.otherVoters(path: "/state", voters: ["445f9532cf27e2de"]) },
            onReady: { _, _ in Issue.record("ready after a failed boot") })
        defer { serving.cancel() }
        try await held.untilStarted()
        let answer = RawHTTP.get("/v1.47/services", socket: path)
        try await answer.untilSent()
        // Time for the server to read the request and wait on the boot with it: one it has
        // not read yet when the boot fails is closed unanswered, as a stopping server's are.
        // (The server reads on its own event loop threads, which no test blocks.)
        try await Task.sleep(for: .seconds(1))
        held.release.signal()
        let response = try #require(await answer.answer(seconds: Self.patience), "no answer after the failed boot")
        #expect(response.hasPrefix("HTTP/1.1 503"), "\(response.prefix(200))")
        #expect(response.contains("did not boot"), "\(response)")
        #expect(response.contains("other voting managers"), "\(response)")
        await #expect(throws: EngineServer.BootFailure.self) { try await serving.value }
        #expect(!FileManager.default.fileExists(atPath: path), "the socket is removed after a failed boot")
    }
}

/// Polls `condition` every 10 ms for up to `seconds`.
func poll(seconds: Int, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out after \(seconds) s")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// One HTTP/1.1 request over a unix socket, read to the end on a thread of its own: the
/// client a test needs to see whether and when a server answers.
final class RawHTTP: Sendable {
    private enum Progress { case connecting, unreachable, sent, answered(String?) }
    private let progress = Mutex(Progress.connecting)

    /// Connects (retrying while the socket is not yet listening) and sends the request.
    static func get(_ path: String, socket: String) -> RawHTTP {
        let request = RawHTTP()
        Thread.detachNewThread {
            let answer = request.exchange("GET \(path) HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n", socket)
            request.progress.withLock { progress in
                if case .connecting = progress { progress = .unreachable } else { progress = .answered(answer) }
            }
        }
        return request
    }

    /// Returns once the request has been sent; throws if the socket never took it.
    func untilSent() async throws {
        try await poll(seconds: EngineServerBootTests.patience) {
            progress.withLock { if case .connecting = $0 { return false } else { return true } }
        }
        if case .unreachable = progress.withLock({ $0 }) {
            Issue.record("the server's socket never took the connection")
            throw CancellationError()
        }
    }

    /// The answer, if it has come.
    func response() -> String? {
        progress.withLock { if case .answered(let answer) = $0 { return answer } else { return nil } }
    }

    /// The answer, waiting up to `seconds` for it.
    func answer(seconds: Int) async -> String? {
        try? await poll(seconds: seconds) {
            progress.withLock { if case .answered = $0 { return true } else { return false } }
        }
        return response()
    }

    private func exchange(_ request: String, _ path: String) -> String? {
        // Under a loaded test run the server may take long to start listening.
        var fd: Int32 = -1
        for _ in 0..<(EngineServerBootTests.patience * 100) {
            fd = Self.connected(path)
            if fd >= 0 { break }
            usleep(10_000)
        }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let bytes = Array(request.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { return nil }
        progress.withLock { $0 = .sent }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return received.isEmpty ? nil : String(decoding: received, as: UTF8.self)
    }

    private static func connected(_ path: String) -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else {
            close(fd)
            return -1
        }
        return fd
    }
}
