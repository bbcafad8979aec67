import Foundation
import SwarmManager
import SwarmProto

extension EngineAPI {
    /// The `Swarm` header of `/_ping`: the CLI uses it to decide whether swarm commands apply.
    public var swarmHeader: String { manager.isLocked ? "locked" : "active/manager" }

    public func version() -> EngineVersionInfo {
        EngineVersionInfo(version: host.serverVersion, arch: host.goArch, kernelVersion: host.kernelVersion)
    }

    /// `/info` answers while locked too: that is how `docker info` and `docker swarm unlock`
    /// learn the swarm is locked.
    public func info() throws -> EngineInfo {
        let swarm: EngineInfo.Swarm
        var warnings: [String] = []
        var id = ""
        if let view = try? manager.view() {
            id = view.selfNodeID
            let nodes = try view.nodes()
            let roster = ManagerRoster(view: view)
            let managers = nodes.filter { roster.status(for: $0) != nil }.count
            let cluster = view.cluster.map { EngineClusterInfo($0, issuer: view.selfNode?.description_p.tlsInfo) }
            swarm = EngineInfo.Swarm(
                nodeID: view.selfNodeID, nodeAddr: Self.host(of: view.selfAddr), localNodeState: "active",
                controlAvailable: true, error: "",
                remoteManagers: [EngineInfo.Peer(nodeID: view.selfNodeID, addr: view.selfAddr)],
                nodes: nodes.count, managers: managers, cluster: cluster)
            if view.readOnly { warnings.append("WARNING: swarmsafe serves this swarm read-only; changes are refused") }
        } else {
            swarm = EngineInfo.Swarm(
                nodeID: "", nodeAddr: "", localNodeState: "locked", controlAvailable: false, error: "",
                remoteManagers: nil, nodes: nil, managers: nil, cluster: nil)
        }
        return EngineInfo(
            id: id, ncpu: host.cpus, memTotal: host.memoryBytes, name: host.hostname, serverVersion: host.serverVersion,
            operatingSystem: host.operatingSystem, architecture: host.machine, kernelVersion: host.kernelVersion,
            dockerRootDir: manager.directory.path, swarm: swarm, warnings: warnings)
    }

    /// `host:port` → `host`, brackets of an IPv6 literal removed: Docker's NodeAddr has no port.
    static func host(of address: String) -> String {
        guard let colon = address.lastIndex(of: ":") else { return address }
        let host = address[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { return String(host.dropFirst().dropLast()) }
        return String(host)
    }
}
