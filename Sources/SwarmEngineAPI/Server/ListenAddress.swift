import Foundation
import Hummingbird

/// Where the Engine API listens. A unix socket is guarded by file permissions; TCP has no
/// authentication at all, so only loopback addresses are accepted.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case unixSocket(path: String)
    case tcp(host: String, port: Int)

    /// Parses `--listen HOST:PORT` (`[::1]:PORT` for IPv6); refuses anything but loopback.
    public static func loopback(_ text: String) throws(ListenError) -> ListenAddress {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ListenError.malformed(text) }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard isLoopback(host) else { throw ListenError.notLoopback(text) }
        return .tcp(host: host, port: port)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.first == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    var bindAddress: BindAddress {
        switch self {
        case .unixSocket(let path): .unixDomainSocket(path: path)
        case .tcp(let host, let port): .hostname(host, port: port)
        }
    }

    /// The `-H` value the docker CLI takes.
    public var dockerHost: String {
        switch self {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    public var description: String { dockerHost }
}

public enum ListenError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case notLoopback(String)
    /// Another server answers on the socket: replacing it would cut that server off.
    case socketInUse(String)
    /// The path exists and is not a socket; it is not ours to remove.
    case notASocket(String)
    case socketPathTooLong(String)

    public var description: String {
        switch self {
        case .malformed(let text): "\(text): expected HOST:PORT, e.g. 127.0.0.1:2375"
        case .notLoopback(let text):
            "\(text): refusing to listen on a non-loopback address (the Engine API has no authentication); use 127.0.0.1 or a unix socket"
        case .socketInUse(let path): "\(path): another server is already listening on this socket"
        case .notASocket(let path): "\(path): exists and is not a socket; refusing to replace it"
        case .socketPathTooLong(let path): "\(path): socket path is too long for a unix socket (at most 107 bytes)"
        }
    }
}
