import Foundation
import SwarmConventions
import SwarmProto
import SwarmStore
import SwiftProtobuf

/// Keeps task objects in line with the services a transaction touched, so `service ls` and
/// `service ps` make sense: one task per replica slot or per eligible node for global
/// services, tasks of removed services and surplus slots marked for removal, tasks with an
/// outdated spec replaced.
///
/// No container ever runs here. New tasks are created in state NEW, as swarmkit's
/// orchestrator creates them; the allocation pass then gives them addresses and a node, and
/// a real manager booting this folder later runs them as its own. A replica on a drained
/// node is shut down and replaced elsewhere, as swarmkit does.
struct Orchestrator {
    let now: Date
    /// Decodes only the tasks and nodes that changed since the last write.
    let decoded: DecodedObjectCache
    private var drained: Set<String> = []

    init(now: Date, decoded: DecodedObjectCache = DecodedObjectCache()) {
        self.now = now
        self.decoded = decoded
    }

    /// `index`: the swarm as `transaction` has it so far; only the touched services' tasks are read.
    mutating func reconcile(_ transaction: inout StoreTransaction, services: Set<String>, index: AllocationIndex) throws {
        guard !services.isEmpty else { return }
        drained = Set(try decoded.nodes(in: transaction.store).filter { $0.spec.availability == .drain }.map(\.id))
        for serviceID in services.sorted() {
            let live = try tasks(of: serviceID, index: index, in: transaction.store)
                .filter { $0.desiredState.rawValue <= SwarmTaskState.running.rawValue }
            guard case .service(let service)? = transaction.get(.service, id: serviceID) else {
                try retire(live, in: &transaction)
                continue
            }
            switch service.spec.mode {
            case .replicated(let replicated)?:
                try reconcileReplicated(service, replicas: replicated.replicas, live: live, in: &transaction)
            case .global?:
                try reconcileGlobal(service, live: live, in: &transaction)
            case .replicatedJob?, .globalJob?, nil:
                // Jobs run to completion under swarmkit's job orchestrator; nothing to keep up.
                continue
            }
        }
    }

    /// The service's tasks in ID order, the order a read of the whole store gives them in.
    private func tasks(of serviceID: String, index: AllocationIndex, in store: ObjectStore) throws -> [SwarmTask] {
        try (index.tasksByService[serviceID] ?? []).sorted().compactMap { try decoded.task($0, in: store) }
    }

    private func reconcileReplicated(
        _ service: SwarmService, replicas: UInt64, live: [SwarmTask], in transaction: inout StoreTransaction
    ) throws {
        var bySlot = Dictionary(grouping: live, by: \.slot)
        for slot in bySlot.keys where slot > replicas || slot == 0 {
            try retire(bySlot.removeValue(forKey: slot) ?? [], in: &transaction)
        }
        guard replicas > 0 else { return }
        for slot in 1...replicas {
            let current = bySlot[slot] ?? []
            if current.contains(where: { $0.isUpToDate(with: service) && !drained.contains($0.nodeID) }) { continue }
            try retire(current, in: &transaction)
            try transaction.create(.task(newTask(service, slot: slot, nodeID: "")))
        }
    }

    private func reconcileGlobal(_ service: SwarmService, live: [SwarmTask], in transaction: inout StoreTransaction) throws {
        let eligible = try decoded.nodes(in: transaction.store)
            .filter { $0.spec.availability == .active && $0.status.state != .down }.map(\.id)
        var byNode = Dictionary(grouping: live, by: \.nodeID)
        for nodeID in byNode.keys where !eligible.contains(nodeID) {
            try retire(byNode.removeValue(forKey: nodeID) ?? [], in: &transaction)
        }
        for nodeID in eligible {
            let current = byNode[nodeID] ?? []
            if current.contains(where: { $0.isUpToDate(with: service) }) { continue }
            try retire(current, in: &transaction)
            try transaction.create(.task(newTask(service, slot: 0, nodeID: nodeID)))
        }
    }

    /// A task that never left NEW never reached a node: it is removed outright. Any other is
    /// asked to stop and be removed, which is what swarmkit's orchestrator does; its agent and
    /// the task reaper finish the job once a real manager runs.
    private func retire(_ tasks: [SwarmTask], in transaction: inout StoreTransaction) throws {
        for task in tasks {
            if task.status.state == .new {
                try transaction.remove(.task, id: task.id)
            } else if drained.contains(task.nodeID) {
                if task.desiredState.rawValue < SwarmTaskState.shutdown.rawValue {
                    var changed = task
                    changed.desiredState = .shutdown
                    try transaction.update(.task(changed))
                }
            } else if task.desiredState != .remove {
                var changed = task
                changed.desiredState = .remove
                try transaction.update(.task(changed))
            }
        }
    }

    private func newTask(_ service: SwarmService, slot: UInt64, nodeID: String) -> SwarmTask {
        var generator = SystemRandomNumberGenerator()
        var task = SwarmTask()
        task.id = SwarmID.random(using: &generator)
        task.spec = service.spec.task
        if service.hasSpecVersion { task.specVersion = service.specVersion }
        task.serviceID = service.id
        task.slot = slot
        task.nodeID = nodeID
        task.serviceAnnotations = service.spec.annotations
        task.desiredState = .running
        var status = SwarmTaskStatus()
        status.timestamp = Google_Protobuf_Timestamp(date: now)
        status.state = .new
        status.message = "created"
        task.status = status
        if service.hasEndpoint { task.endpoint = service.endpoint }
        return task
    }
}

extension SwarmTask {
    /// Whether the task runs its service's current spec, swarmkit's `IsTaskDirty` turned
    /// round: equal spec versions prove it current; different ones don't prove it outdated
    /// (a scale changes the service spec, not the task spec), so the specs are compared. A
    /// spec that does not serialize is never taken for equal.
    public func isUpToDate(with service: SwarmService) -> Bool {
        if hasSpecVersion && service.hasSpecVersion && specVersion.index == service.specVersion.index {
            return true
        }
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        guard let mine = try? spec.serializedBytes(options: options) as Data,
            let wanted = try? service.spec.task.serializedBytes(options: options) as Data
        else { return false }
        return mine == wanted
    }
}
