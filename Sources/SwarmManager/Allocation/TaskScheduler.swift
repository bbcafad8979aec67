import Foundation
import SwarmProto
import SwiftProtobuf

/// Puts pending tasks on nodes as swarmkit's scheduler does, in its simplest form: a ready,
/// active node that meets the task's placement constraints, the one running the fewest
/// tasks of the service (then the fewest tasks), and the task moves to ASSIGNED. A task no
/// node can take stays PENDING with the scheduler's reason.
struct TaskScheduler {
    let nodes: [SwarmNode]
    let selfNodeID: String
    let now: Date
    private var load: [String: Int] = [:]
    private var serviceLoad: [String: [String: Int]] = [:]

    /// `load` and `serviceLoad`: the tasks on each node still meant to run, overall and by
    /// service, as `AllocationIndex` counts them.
    init(nodes: [SwarmNode], load: [String: Int], serviceLoad: [String: [String: Int]], selfNodeID: String, now: Date) {
        self.nodes = nodes.sorted { $0.id < $1.id }
        self.selfNodeID = selfNodeID
        self.now = now
        self.load = load
        self.serviceLoad = serviceLoad
    }

    /// A node takes new tasks when it is active and up. The embedded manager's own node is
    /// up by definition: it is the one answering.
    func takesNewTasks(_ node: SwarmNode) -> Bool {
        node.spec.availability == .active && (node.status.state == .ready || node.id == selfNodeID)
    }

    /// The task assigned, or still pending with the reason no node could take it.
    mutating func schedule(_ task: SwarmTask) -> SwarmTask {
        var out = task
        let constraints = task.spec.placement.constraints.compactMap(PlacementConstraint.init)
        var unavailable = 0
        var unsuitable = 0
        var chosen: SwarmNode?
        for node in nodes {
            // A global service's task is made for one node and goes there or nowhere.
            if !task.nodeID.isEmpty && node.id != task.nodeID { continue }
            guard takesNewTasks(node) else { unavailable += 1; continue }
            guard constraints.allSatisfy({ $0.matches(node) }) else { unsuitable += 1; continue }
            if let best = chosen, rank(best, for: task) <= rank(node, for: task) { continue }
            chosen = node
        }
        var status = task.status
        status.timestamp = Google_Protobuf_Timestamp(date: now)
        guard let node = chosen else {
            status.state = .pending
            status.message = "pending task scheduling"
            status.err = "no suitable node (\(Self.reason(unavailable: unavailable, unsuitable: unsuitable)))"
            out.status = status
            return out
        }
        out.nodeID = node.id
        status.state = .assigned
        status.message = "scheduler assigned task to node"
        status.err = ""
        out.status = status
        load[node.id, default: 0] += 1
        serviceLoad[task.serviceID, default: [:]][node.id, default: 0] += 1
        return out
    }

    private func rank(_ node: SwarmNode, for task: SwarmTask) -> (Int, Int, String) {
        (serviceLoad[task.serviceID]?[node.id] ?? 0, load[node.id] ?? 0, node.id)
    }

    /// swarmkit's wording: "1 node not available for new tasks; scheduling constraints not
    /// satisfied on 2 nodes".
    static func reason(unavailable: Int, unsuitable: Int) -> String {
        func nodes(_ count: Int) -> String { count == 1 ? "1 node" : "\(count) nodes" }
        var parts: [String] = []
        if unavailable > 0 { parts.append("\(nodes(unavailable)) not available for new tasks") }
        if unsuitable > 0 { parts.append("scheduling constraints not satisfied on \(nodes(unsuitable))") }
        return parts.isEmpty ? "no nodes" : parts.joined(separator: "; ")
    }
}
