import Foundation
import SwarmProto
import SwarmStore

/// Docker's swarm.Node.
public struct EngineNode: Encodable, Sendable {
    public struct Platform: Encodable, Sendable {
        var architecture: String
        var os: String
        enum CodingKeys: String, CodingKey { case architecture = "Architecture", os = "OS" }
    }
    public struct Resources: Encodable, Sendable {
        var nanoCPUs: Int64
        var memoryBytes: Int64
        enum CodingKeys: String, CodingKey { case nanoCPUs = "NanoCPUs", memoryBytes = "MemoryBytes" }
    }
    public struct Plugin: Encodable, Sendable {
        var type: String
        var name: String
        enum CodingKeys: String, CodingKey { case type = "Type", name = "Name" }
    }
    public struct Engine: Encodable, Sendable {
        var engineVersion: String
        var labels: [String: String]?
        var plugins: [Plugin]?
        enum CodingKeys: String, CodingKey { case engineVersion = "EngineVersion", labels = "Labels", plugins = "Plugins" }
    }
    public struct TLSInfo: Encodable, Sendable {
        var trustRoot: String
        var certIssuerSubject: Data
        var certIssuerPublicKey: Data
        enum CodingKeys: String, CodingKey {
            case trustRoot = "TrustRoot", certIssuerSubject = "CertIssuerSubject", certIssuerPublicKey = "CertIssuerPublicKey"
        }

        init(_ info: SwarmNodeTLSInfo) {
            trustRoot = String(decoding: info.trustRoot, as: UTF8.self)
            certIssuerSubject = info.certIssuerSubject
            certIssuerPublicKey = info.certIssuerPublicKey
        }
    }
    public struct Description: Encodable, Sendable {
        var hostname: String
        var platform: Platform
        var resources: Resources
        var engine: Engine
        var tlsInfo: TLSInfo
        enum CodingKeys: String, CodingKey {
            case hostname = "Hostname", platform = "Platform", resources = "Resources", engine = "Engine", tlsInfo = "TLSInfo"
        }
    }
    public struct Status: Encodable, Sendable {
        var state: String
        var message: String?
        var addr: String?
        enum CodingKeys: String, CodingKey { case state = "State", message = "Message", addr = "Addr" }
    }
    public struct ManagerStatus: Encodable, Sendable, Equatable {
        public var leader: Bool
        public var reachability: String
        public var addr: String
        enum CodingKeys: String, CodingKey { case leader = "Leader", reachability = "Reachability", addr = "Addr" }
    }

    public var id: String
    var version: EngineObjectVersion
    var createdAt: String?
    var updatedAt: String?
    var spec: EngineNodeSpec
    var description: Description
    var status: Status
    public var managerStatus: ManagerStatus?

    enum CodingKeys: String, CodingKey {
        case id = "ID", version = "Version", createdAt = "CreatedAt", updatedAt = "UpdatedAt", spec = "Spec"
        case description = "Description", status = "Status", managerStatus = "ManagerStatus"
    }

    /// `managerStatus` comes from `ManagerRoster`, which knows the raft membership; the stored
    /// node's own is whatever its last manager wrote and is not trusted.
    init(_ node: SwarmNode, managerStatus: ManagerStatus?, isSelf: Bool) {
        let meta = ObjectMeta(node.meta)
        id = node.id
        version = meta.version
        createdAt = meta.createdAt
        updatedAt = meta.updatedAt
        spec = EngineNodeSpec(node.spec)
        let d = node.description_p
        description = Description(
            hostname: d.hostname,
            platform: Platform(architecture: d.platform.architecture, os: d.platform.os),
            resources: Resources(nanoCPUs: d.resources.nanoCpus, memoryBytes: d.resources.memoryBytes),
            engine: Engine(
                engineVersion: d.engine.engineVersion, labels: d.engine.labels.isEmpty ? nil : d.engine.labels,
                plugins: d.engine.plugins.isEmpty ? nil : d.engine.plugins.map { Plugin(type: $0.type, name: $0.name) }),
            tlsInfo: TLSInfo(d.tlsInfo))
        // The embedded manager answers for its own node, so that node is up by definition.
        let state = isSelf ? "ready" : engineEnum(node.status.state)
        status = Status(
            state: state, message: node.status.message.isEmpty ? nil : node.status.message,
            addr: node.status.addr.isEmpty ? nil : node.status.addr)
        self.managerStatus = managerStatus
    }
}
