import SwarmProto
import SwarmStore
import SwiftProtobuf

/// ServiceStatus for `service ls`: running tasks (on nodes that are not down) over the
/// desired count — replicas, or for global services the tasks meant to run.
struct ServiceStatusCounter: Sendable {
    let tasksByService: [String: [SwarmTaskProgressView]]
    let downNodes: Set<String>

    /// Reads of each stored task only what is counted: decoding whole tasks (their specs
    /// above all) was most of the first `service ls` on a big swarm.
    init(tasks: [StoredObject], nodes: [SwarmNode], selfNodeID: String) throws {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        let progress = try tasks.map { try SwarmTaskProgressView(serializedBytes: $0.bytes, options: options) }
        tasksByService = Dictionary(grouping: progress, by: \.serviceID)
        downNodes = Set(nodes.filter { $0.status.state == .down && $0.id != selfNodeID }.map(\.id))
    }

    func status(of service: SwarmService) -> EngineService.Status {
        var status = EngineService.Status(runningTasks: 0, desiredTasks: 0, completedTasks: 0)
        var global = false
        switch service.spec.mode {
        case .replicated(let replicated)?: status.desiredTasks = replicated.replicas
        case .replicatedJob(let job)?: status.desiredTasks = job.maxConcurrent
        case .global?, .globalJob?, nil: global = true
        }
        let iteration: UInt64? = service.hasJobStatus ? service.jobStatus.jobIteration.index : nil
        for task in tasksByService[service.id] ?? [] {
            if let iteration {
                // A job's earlier runs don't count towards the current one.
                guard task.hasJobIteration, task.jobIteration.index == iteration else { continue }
                if task.status.state == .complete { status.completedTasks += 1 }
            }
            if task.status.state == .running && !downNodes.contains(task.nodeID) { status.runningTasks += 1 }
            if global && task.desiredState == .running { status.desiredTasks += 1 }
            if global && task.desiredState == .complete && task.status.state != .complete { status.desiredTasks += 1 }
        }
        return status
    }
}
