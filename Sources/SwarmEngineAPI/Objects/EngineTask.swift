import SwarmProto

/// Docker's swarm.Task.
public struct EngineTask: Encodable, Sendable {
    struct ContainerStatus: Encodable, Sendable {
        var containerID: String?
        var pid: Int32
        var exitCode: Int32
        enum CodingKeys: String, CodingKey { case containerID = "ContainerID", pid = "PID", exitCode = "ExitCode" }
    }
    struct Status: Encodable, Sendable {
        var timestamp: String?
        var state: String
        var message: String
        var err: String?
        var containerStatus: ContainerStatus?
        enum CodingKeys: String, CodingKey {
            case timestamp = "Timestamp", state = "State", message = "Message", err = "Err", containerStatus = "ContainerStatus"
        }
    }
    struct NetworkAttachment: Encodable, Sendable {
        var network: EngineNetwork
        var addresses: [String]
        enum CodingKeys: String, CodingKey { case network = "Network", addresses = "Addresses" }
    }

    public var id: String
    var version: EngineObjectVersion
    var createdAt: String?
    var updatedAt: String?
    var name: String?
    var labels: [String: String]
    var spec: EngineTaskSpec
    public var serviceID: String
    var slot: UInt64?
    public var nodeID: String?
    var status: Status
    public var desiredState: String
    var networksAttachments: [NetworkAttachment]?
    var jobIteration: EngineObjectVersion?

    enum CodingKeys: String, CodingKey {
        case id = "ID", version = "Version", createdAt = "CreatedAt", updatedAt = "UpdatedAt", name = "Name"
        case labels = "Labels", spec = "Spec", serviceID = "ServiceID", slot = "Slot", nodeID = "NodeID"
        case status = "Status", desiredState = "DesiredState", networksAttachments = "NetworksAttachments"
        case jobIteration = "JobIteration"
    }

    init(_ task: SwarmTask) {
        let meta = ObjectMeta(task.meta)
        id = task.id
        version = meta.version
        createdAt = meta.createdAt
        updatedAt = meta.updatedAt
        name = task.annotations.name.isEmpty ? nil : task.annotations.name
        labels = task.annotations.labels
        spec = EngineTaskSpec(task.spec)
        serviceID = task.serviceID
        slot = task.slot == 0 ? nil : task.slot
        nodeID = task.nodeID.isEmpty ? nil : task.nodeID
        var container: ContainerStatus?
        if case .container(let c)? = task.status.runtimeStatus {
            container = ContainerStatus(
                containerID: c.containerID.isEmpty ? nil : c.containerID, pid: c.pid, exitCode: c.exitCode)
        }
        status = Status(
            timestamp: task.status.hasTimestamp ? EngineTime.string(task.status.timestamp) : nil,
            state: engineEnum(task.status.state), message: task.status.message,
            err: task.status.err.isEmpty ? nil : task.status.err, containerStatus: container)
        desiredState = engineEnum(task.desiredState)
        networksAttachments = task.networks.isEmpty
            ? nil : task.networks.map { NetworkAttachment(network: EngineNetwork($0.network), addresses: $0.addresses) }
        jobIteration = task.hasJobIteration ? EngineObjectVersion(index: task.jobIteration.index) : nil
    }
}
