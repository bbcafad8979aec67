import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy in front of a server that misbehaves on purpose: `dropAfter` forwards
/// until that many request bytes have passed, then closes every connection it has and each new
/// one at once (a server that goes away in the middle of an upload); `slowDownFirst` answers
/// the first N connections with S3's "503 SlowDown" and forwards the rest (throttling);
/// `cutAnswersAfter` closes each connection once that many bytes of answers have passed on it
/// (a transfer that breaks in the middle of a download).
public final class ConnectionDropper: @unchecked Sendable {
    public let host: String
    public let port: Int
    public var endpoint: String { "http://\(host):\(port)" }
    private let process: Process

    public init(
        upstreamHost: String, upstreamPort: Int, dropAfter bytes: Int = Int.max >> 1, slowDownFirst: Int = 0,
        cutAnswersAfter answerBytes: Int = Int.max >> 1
    ) throws {
        host = upstreamHost
        port = upstreamPort + 1 <= 65_000 ? upstreamPort + 1 : upstreamPort - 1
        let script = """
            import socket, threading, sys
            host, port, up, limit, slow = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
            answer_limit = int(sys.argv[6])
            passed = [0]
            body = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
            def slow_down(client):
                try:
                    data = b""
                    while b"\\r\\n\\r\\n" not in data:
                        chunk = client.recv(65536)
                        if not chunk: break
                        data += chunk
                    client.sendall(b"HTTP/1.1 503 Slow Down\\r\\nContent-Type: application/xml\\r\\nConnection: close\\r\\n"
                                   + b"Content-Length: " + str(len(body)).encode() + b"\\r\\n\\r\\n" + body)
                except OSError: pass
                client.close()
            lock = threading.Lock()
            server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((host, port)); server.listen(16)
            def pipe(src, dst, counting):
                answered = 0
                try:
                    while True:
                        data = src.recv(65536)
                        if not data: break
                        if not counting:
                            answered += len(data)
                            if answered > answer_limit:
                                dst.sendall(data[:len(data) - (answered - answer_limit)])
                                break
                        if counting:
                            with lock:
                                passed[0] += len(data)
                                over = passed[0] > limit
                            if over: break
                        dst.sendall(data)
                except OSError: pass
                for s in (src, dst):
                    try: s.shutdown(socket.SHUT_RDWR)
                    except OSError: pass
                    s.close()
            while True:
                client, _ = server.accept()
                if slow > 0:
                    slow -= 1
                    threading.Thread(target=slow_down, args=(client,), daemon=True).start()
                    continue
                with lock: over = passed[0] > limit
                if over:
                    client.close(); continue
                upstream = socket.create_connection((host, up))
                threading.Thread(target=pipe, args=(client, upstream, True), daemon=True).start()
                threading.Thread(target=pipe, args=(upstream, client, False), daemon=True).start()
            """
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, host, "\(port)", "\(upstreamPort)", "\(bytes)", "\(slowDownFirst)", "\(answerBytes)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !S3TestServer.connects(host: host, port: port) {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw S3TestServerError.notAnswering(address: endpoint, log: "the connection-dropping proxy did not start")
            }
            usleep(50_000)
        }
    }

    deinit { stop() }

    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
