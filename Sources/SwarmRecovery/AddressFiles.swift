import Foundation
import SwarmFormats
import SwarmSafeKit

/// The files next to the log that also hold this manager's address: `state.json` (the
/// managers this node's agent dials) and, under Docker, `docker-state.json` (the daemon's
/// start config). Operators moving a host report the old IP surviving there after
/// `docker swarm init --force-new-cluster --advertise-addr`, so both follow the new address.
enum AddressFiles {
    /// The start-config keys that hold this machine's own address (`RemoteAddr` is the
    /// manager a join went to: it is rewritten only when it was this machine).
    static let ownAddressKeys = ["AdvertiseAddr", "LocalAddr", "ListenAddr", "DataPathAddr", "RemoteAddr"]

    static func dockerStateNeedsUpdate(_ state: DockerStateJSON?, to target: String) -> Bool {
        guard let state, let current = state["AdvertiseAddr"] else { return false }
        return current != target
    }

    /// `state.json` with only this manager, at `address`.
    static func writeStateJSON(nodeID: String, address: String, to copy: StateDirectory) throws {
        let path = copy.stateFile.path
        try FileSync.replaceFile(
            path, with: StateJSON.encode([KnownManager(nodeID: nodeID, addr: address)]),
            mode: (try? FileSync.mode(of: path)) ?? 0o600)
    }

    /// Rewrites `docker-state.json` in `copy`, if there is one: `AdvertiseAddr` becomes the
    /// new address, and any other own-address key whose host was the old IP gets the new IP
    /// with its own port (a `0.0.0.0` listen address stays as it is).
    static func rewriteDockerState(in copy: StateDirectory, from old: String?, to target: String) throws {
        let url = copy.dockerStateFile
        guard (try? FileSync.entry(url.path)) != .missing else { return }
        var state = try DockerStateJSON.read(url)
        let new = try AdvertiseAddress(parsing: target)
        var oldIPs = Set<String>()
        for text in [old, state["AdvertiseAddr"]].compactMap({ $0 }) {
            if let host = host(of: text) { oldIPs.insert(host) }
        }
        oldIPs.remove(new.ip)
        state.object["AdvertiseAddr"] = .string(target)
        for key in ownAddressKeys where key != "AdvertiseAddr" {
            guard let value = state[key], let host = host(of: value), oldIPs.contains(host) else { continue }
            state.object[key] = .string(replacingHost(of: value, with: new.ip))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try FileSync.replaceFile(
            url.path, with: try encoder.encode(JSONValue.object(state.object)),
            mode: (try? FileSync.mode(of: url.path)) ?? 0o600)
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
