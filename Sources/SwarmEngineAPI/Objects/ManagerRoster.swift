import SwarmManager
import SwarmProto
import SwarmStore

/// Who is a manager and how reachable, as the embedded manager sees it: itself the leader,
/// other raft members as their member records say, and nodes that should be managers but are
/// no longer members as unreachable (a node demoted in the store but still a manager to the
/// operator must not vanish from the manager count).
struct ManagerRoster {
    let view: ManagerView

    func status(for node: SwarmNode) -> EngineNode.ManagerStatus? {
        if node.id == view.selfNodeID {
            return .init(leader: true, reachability: "reachable", addr: view.selfAddr)
        }
        if let member = view.membership.members.first(where: { $0.nodeID == node.id }) {
            let reachable = member.status.reachability == .reachable
            return .init(leader: false, reachability: reachable ? "reachable" : "unreachable", addr: member.addr)
        }
        guard node.spec.desiredRole == .manager || node.role == .manager else { return nil }
        return .init(leader: false, reachability: "unreachable", addr: node.managerStatus.addr)
    }

    func node(_ node: SwarmNode) -> EngineNode {
        EngineNode(node, managerStatus: status(for: node), isSelf: node.id == view.selfNodeID)
    }
}
