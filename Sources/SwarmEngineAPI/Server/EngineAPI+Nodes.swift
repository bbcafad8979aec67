import SwarmManager
import SwarmProto
import SwarmStore

extension EngineAPI {
    static let nodeFilters: Set<String> = ["name", "id", "label", "role", "membership", "node.label"]

    public func nodes(filters: EngineFilters) throws -> [EngineNode] {
        try filters.validate(accepted: Self.nodeFilters)
        for role in filters["role"] where !["worker", "manager"].contains(role.lowercased()) {
            throw EngineError.badRequest("Invalid role filter: '\(role)'")
        }
        for membership in filters["membership"] where !["pending", "accepted"].contains(membership.lowercased()) {
            throw EngineError.badRequest("Invalid membership filter: '\(membership)'")
        }
        let view = try view()
        let roster = ManagerRoster(view: view)
        return try view.nodes().filter { node in
            filters.matchesID(node.id) && filters.matchesName(Self.name(of: node))
                && filters.matchesLabels(node.description_p.engine.labels)
                && filters.matchesLabels(node.spec.annotations.labels, key: "node.label")
                && Self.matchesLowercased(filters["role"], engineEnum(node.role))
                && Self.matchesLowercased(filters["membership"], engineEnum(node.spec.membership))
        }
        .sorted { $0.id < $1.id }
        .map(roster.node)
    }

    /// `self` is the manager's own node, as the CLI's `node inspect self` means it.
    public func node(_ reference: String) throws -> EngineNode {
        let view = try view()
        return ManagerRoster(view: view).node(try Self.resolveNode(reference, in: view))
    }

    public func updateNode(_ reference: String, version: UInt64?, spec: EngineNodeSpec) throws {
        let view = try view()
        let current = try Self.resolveNode(reference, in: view)
        try Self.checkVersion(version, against: current.meta)
        let wanted = try spec.swarmSpec(base: current.spec)
        // The embedded manager is the only voter: demoting it would leave the swarm with no
        // manager at all, which swarmkit refuses in the same words.
        if current.id == view.selfNodeID && wanted.desiredRole != .manager {
            throw EngineError.rpc(.badRequest, code: "FailedPrecondition", "attempting to demote the last manager of the swarm")
        }
        try write { tx in
            guard case .node(var node)? = tx.get(.node, id: current.id) else { throw EngineError.notFound("node", reference) }
            try Self.checkVersion(version, against: node.meta)
            node.spec = wanted
            try tx.update(.node(node))
        }
    }

    static func resolveNode(_ reference: String, in view: ManagerView) throws -> SwarmNode {
        let nodes = try view.nodes()
        let wanted = reference == "self" ? view.selfNodeID : reference
        return try ObjectLookup.resolve(wanted, kind: "node", in: nodes, id: \.id, name: name(of:))
    }

    /// swarmkit names a node by its spec name, or its hostname when it has none.
    static func name(of node: SwarmNode) -> String {
        node.spec.annotations.name.isEmpty ? node.description_p.hostname : node.spec.annotations.name
    }

    static func matchesLowercased(_ wanted: Set<String>, _ value: String) -> Bool {
        wanted.isEmpty || wanted.contains { $0.lowercased() == value }
    }
}
