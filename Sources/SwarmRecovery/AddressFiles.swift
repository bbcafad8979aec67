import Foundation
import SwarmFormats
import SwarmConventions

/// The files next to the log that also hold this manager's address: `state.json` (the
/// managers this node's agent dials) and, under Docker, `docker-state.json` (the daemon's
/// start config: where swarm listens and what it advertises). Operators moving a host report
/// the old IP surviving there after `docker swarm init --force-new-cluster --advertise-addr`,
/// so both follow the new address.
enum AddressFiles {
    /// The start-config keys that may hold this machine's own IP besides the two the move
    /// sets (`RemoteAddr` is the manager a join went to: rewritten only when it was this
    /// machine).
    static let otherOwnAddressKeys = ["LocalAddr", "DataPathAddr", "RemoteAddr"]

    /// Wildcard listen hosts stay wildcards: they already listen on the new IP.
    static let wildcardHosts: Set<String> = ["0.0.0.0", "::", ""]

    /// Whether `docker-state.json` (absent counts) disagrees with the move.
    static func dockerStateNeedsUpdate(_ state: DockerStateJSON?, advertise: String, listen: RequestedAddress?) -> Bool {
        guard let state else { return true }
        guard state["AdvertiseAddr"] == advertise else { return true }
        return state["ListenAddr"] != listenAddress(current: state["ListenAddr"], advertise: advertise, requested: listen)
    }

    /// The listen address after a move: the one asked for (its port defaulting to the
    /// advertised one), else the old listen host if it was a wildcard, else the new IP — on
    /// the advertised port either way, so that something listens where the manager says it
    /// can be reached.
    static func listenAddress(current: String?, advertise: String, requested: RequestedAddress?) -> String {
        let advertised = (try? AdvertiseAddress(parsing: advertise))
        let port = requested?.port ?? advertised?.port ?? AdvertiseAddress.defaultPort
        let ip: String
        if let requested {
            ip = requested.ip
        } else if let current, let host = host(of: current), wildcardHosts.contains(host) {
            ip = host.isEmpty ? "0.0.0.0" : host
        } else {
            ip = advertised?.ip ?? "0.0.0.0"
        }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// `state.json` with only this manager, at `address`.
    static func writeStateJSON(nodeID: String, address: String, to copy: StateDirectory) throws {
        let path = copy.stateFile.path
        try FileSync.replaceFile(
            path, with: StateJSON.encode([KnownManager(nodeID: nodeID, addr: address)]),
            mode: try FileSync.mode(of: path, orIfMissing: 0o600))
    }

    /// Rewrites `docker-state.json` in `copy` for the move to `target`: `AdvertiseAddr`
    /// and `ListenAddr` as above, and any other own-address key whose host was the old IP
    /// gets the new IP with its own port. A folder without the file (one written by swarmkit
    /// alone, or by `init` for swarmd) gets the one `docker swarm init` would have written:
    /// without it dockerd does not start swarm mode.
    static func rewriteDockerState(in copy: StateDirectory, from old: String?, to target: String, listen: RequestedAddress?) throws {
        let url = copy.dockerStateFile
        let new = try AdvertiseAddress(parsing: target)
        guard try FileSync.entry(url.path) != .missing else {
            let config = DockerStartConfig(
                initWithAdvertise: target, ip: new.ip,
                listen: listenAddress(current: nil, advertise: target, requested: listen))
            try FileSync.replaceFile(url.path, with: try config.encoded(), mode: 0o600)
            return
        }
        var state = try DockerStateJSON.read(url)
        var oldIPs = Set<String>()
        for text in [old, state["AdvertiseAddr"], state["ListenAddr"]].compactMap({ $0 }) {
            if let host = host(of: text), !wildcardHosts.contains(host) { oldIPs.insert(host) }
        }
        oldIPs.remove(new.ip)
        state.object["ListenAddr"] = .string(listenAddress(current: state["ListenAddr"], advertise: target, requested: listen))
        state.object["AdvertiseAddr"] = .string(target)
        for key in otherOwnAddressKeys {
            guard let value = state[key], let host = host(of: value), oldIPs.contains(host) else { continue }
            state.object[key] = .string(replacingHost(of: value, with: new.ip))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try FileSync.replaceFile(
            url.path, with: try encoder.encode(JSONValue.object(state.object)),
            mode: try FileSync.mode(of: url.path, orIfMissing: 0o600))
    }

    /// The host of `ip`, `ip:port`, `[v6]` or `[v6]:port`.
    static func host(of text: String) -> String? {
        if text.hasPrefix("[") {
            guard let end = text.firstIndex(of: "]") else { return nil }
            return String(text[text.index(after: text.startIndex)..<end])
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return text
        case 2: return String(parts[0])
        default: return text  // a bare IPv6 address
        }
    }

    static func replacingHost(of text: String, with ip: String) -> String {
        let bracketed = ip.contains(":") ? "[\(ip)]" : ip
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") {
            return bracketed + text[text.index(after: end)...]
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 ? "\(bracketed):\(parts[1])" : ip
    }
}
