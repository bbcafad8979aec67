import SwarmManager
import SwarmProto

extension EngineAPI {
    static let networkFilters: Set<String> = ["name", "id", "label", "driver", "scope", "type"]

    /// Only the swarm's own networks: the embedded manager has no local ones.
    public func networks(filters: EngineFilters) throws -> [EngineNetwork] {
        try filters.validate(accepted: Self.networkFilters)
        return try view().networks().map(EngineNetwork.init).filter { network in
            filters.matchesID(network.id) && filters.matchesName(network.name)
                && filters.matchesLabels(network.labels) && filters.matchesExactly("driver", network.driver)
                && filters.matchesExactly("scope", "swarm")
                // Swarm networks are all user-defined as Docker's `type` filter sees them,
                // except ingress, which Docker counts as built in.
                && filters.matchesExactly("type", network.ingress ? "builtin" : "custom")
        }
        .sorted { $0.name < $1.name }
    }

    public func network(_ reference: String) throws -> EngineNetwork {
        let networks = try view().networks()
        return EngineNetwork(
            try ObjectLookup.resolve(reference, kind: "network", in: networks, id: \.id, name: \.spec.annotations.name))
    }
}
