import Foundation
import SwarmManager
import SwarmProto
import SwiftProtobuf

extension EngineAPI {
    static let taskFilters: Set<String> = ["name", "id", "label", "service", "node", "desired-state", "_up-to-date", "runtime"]

    public func tasks(filters: EngineFilters) throws -> [EngineTask] {
        try filters.validate(accepted: Self.taskFilters)
        let desired = try Self.desiredStates(filters["desired-state"])
        let view = try view()
        // Services and nodes may be named by name or ID prefix; Docker resolves them first and
        // answers 404 for one that does not exist.
        let serviceIDs = try Set(filters["service"].map { try Self.resolveService($0, in: view).id })
        let nodeIDs = try Set(filters["node"].map { try Self.resolveNode($0, in: view).id })
        let services = Dictionary(try view.services().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let upToDate = filters.contains("_up-to-date")
        return try view.tasks().filter { task in
            filters.matchesID(task.id) && filters.matchesName(Self.name(of: task))
                // swarmkit matches a task's label filter against its service's labels (what
                // `docker stack ps` filters by), not the task's own annotations.
                && filters.matchesLabels(task.serviceAnnotations.labels)
                && (serviceIDs.isEmpty || serviceIDs.contains(task.serviceID))
                && (nodeIDs.isEmpty || nodeIDs.contains(task.nodeID))
                && (desired.isEmpty || desired.contains(task.desiredState))
                && (filters["runtime"].isEmpty || filters["runtime"].contains(Self.runtimeName(task.spec)))
                && (!upToDate || services[task.serviceID].map { task.isUpToDate(with: $0) } == true)
        }
        .sorted { $0.id < $1.id }
        .map(EngineTask.init)
    }

    public func task(_ reference: String) throws -> EngineTask {
        let tasks = try view().tasks()
        return EngineTask(try ObjectLookup.resolve(reference, kind: "task", in: tasks, id: \.id, name: Self.name(of:)))
    }

    /// swarmkit's task name: its own annotation, or service.slot.id (service.node.id for
    /// global services).
    static func name(of task: SwarmTask) -> String {
        if !task.annotations.name.isEmpty { return task.annotations.name }
        let middle = task.slot != 0 ? String(task.slot) : task.nodeID
        return "\(task.serviceAnnotations.name).\(middle).\(task.id)"
    }

    static func desiredStates(_ values: Set<String>) throws(EngineError) -> Set<SwarmTaskState> {
        var states = Set<SwarmTaskState>()
        for value in values where !value.isEmpty {
            guard let state = SwarmTaskState.allCases.first(where: { engineEnum($0) == value.lowercased() }) else {
                throw EngineError.badRequest("Invalid desired-state filter: '\(value)'")
            }
            states.insert(state)
        }
        return states
    }
}
