import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The address other managers reach this one at: an IP literal and a port. It ends up in the
/// WAL metadata, the raft member record and `state.json`, so it must be exactly what swarmkit
/// would write there: `ip:port`, with brackets around IPv6.
public struct AdvertiseAddress: Sendable, Equatable, CustomStringConvertible {
    public static let defaultPort: UInt16 = 2377

    /// The IP, without brackets.
    public let ip: String
    public let port: UInt16

    public init(ip: String, port: UInt16 = defaultPort) throws(AddressError) {
        guard Self.isIPLiteral(ip) else { throw .invalidAdvertiseAddress(ip, reason: "not an IPv4 or IPv6 address") }
        guard port != 0 else { throw .invalidAdvertiseAddress(ip, reason: "port 0 cannot be advertised") }
        self.ip = ip
        self.port = port
    }

    /// `IP`, `IP:PORT`, `[IPv6]` or `[IPv6]:PORT`; a bare IPv6 address takes the default port.
    /// Interface names (which `docker swarm init` also accepts) are not resolved: an offline
    /// tool cannot know the interfaces of the machine the folder is for.
    public init(parsing text: String) throws(AddressError) {
        let parts = try Self.parts(parsing: text)
        try self.init(ip: parts.ip, port: parts.port ?? Self.defaultPort)
    }

    /// The IP and, when the text gives one, the port of `IP`, `IP:PORT`, `[IPv6]` or
    /// `[IPv6]:PORT` (surrounding spaces ignored): for callers to whom a port left out means
    /// something other than the default. The port is decimal digits only, as Go's `strconv`
    /// and Docker read it: `+80` is refused, not read as 80.
    public static func parts(parsing text: String) throws(AddressError) -> (ip: String, port: UInt16?) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var host = trimmed
        var portText: Substring?
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw .invalidAdvertiseAddress(text, reason: "missing \"]\"")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw .invalidAdvertiseAddress(text, reason: "expected \":PORT\" after \"]\"") }
                portText = rest.dropFirst()
            }
        } else if trimmed.filter({ $0 == ":" }).count == 1, let colon = trimmed.firstIndex(of: ":") {
            host = String(trimmed[..<colon])
            portText = trimmed[trimmed.index(after: colon)...]
        }
        var port: UInt16?
        if let portText {
            guard !portText.isEmpty, portText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let value = UInt16(portText), value != 0
            else {
                throw .invalidAdvertiseAddress(text, reason: "the port must be a number from 1 to 65535")
            }
            port = value
        }
        guard Self.isIPLiteral(host) else {
            throw .invalidAdvertiseAddress(text, reason: "\"\(host)\" is not an IPv4 or IPv6 address")
        }
        return (host, port)
    }

    /// `ip:port` as Go's `net.JoinHostPort` writes it.
    public var hostPort: String { ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    public var description: String { hostPort }

    /// The one non-loopback IPv4 address of this machine, as `docker swarm init` picks it
    /// without `--advertise-addr`. Several candidates are refused, as Docker refuses them,
    /// rather than guessing which network the other managers are on.
    public static func detect() throws(AddressError) -> AdvertiseAddress {
        let candidates = localIPv4Addresses()
        switch candidates.count {
        case 1:
            return try AdvertiseAddress(ip: candidates[0])
        case 0:
            throw .cannotChooseAdvertiseAddress("this machine has no non-loopback IPv4 address; give --advertise-addr")
        default:
            throw .cannotChooseAdvertiseAddress(
                "this machine has several addresses (\(candidates.joined(separator: ", "))); give --advertise-addr")
        }
    }

    static func isIPLiteral(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    private static func localIPv4Addresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var found: [String] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            let flags = Int32(entry.pointee.ifa_flags)
            guard flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0,
                  let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET)
            else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            let converted = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer -> Bool in
                var ip = pointer.pointee.sin_addr
                return inet_ntop(AF_INET, &ip, &text, socklen_t(text.count)) != nil
            }
            if converted {
                let ip = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !found.contains(ip) { found.append(ip) }
            }
        }
        return found
    }
}

/// An address swarmkit would not accept as a manager's, or none to choose. One line, naming
/// the text given.
public enum AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAdvertiseAddress(String, reason: String)
    case cannotChooseAdvertiseAddress(String)

    public var description: String {
        switch self {
        case .invalidAdvertiseAddress(let text, let reason):
            "invalid advertise address \"\(text)\": \(reason)"
        case .cannotChooseAdvertiseAddress(let reason):
            "cannot choose an address to advertise: \(reason)"
        }
    }
}
