import SwarmManager
import SwarmProto

extension EngineAPI {
    static let networkFilters: Set<String> = ["name", "id", "label", "driver", "scope", "type"]

    /// The swarm's own networks. Docker also keeps its engine's `bridge` and `host` in the
    /// swarm store (labelled predefined), but its `network ls` lists them only as the engine's
    /// local networks, and the embedded manager has no engine: they are left out, as real
    /// Docker leaves out the stored ones. `network inspect` still finds them by name.
    public func networks(filters: EngineFilters) throws -> [EngineNetwork] {
        try filters.validate(accepted: Self.networkFilters)
        return try view().networks().filter { !$0.isPredefined }.map(EngineNetwork.init).filter { network in
            filters.matchesID(network.id) && filters.matchesName(network.name)
                && filters.matchesLabels(network.labels) && filters.matchesExactly("driver", network.driver)
                && filters.matchesExactly("scope", network.scope)
                // Docker's `type` filter counts ingress as built in.
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

extension EngineAPI {
    /// Names Docker keeps for the engine's own networks.
    static let predefinedNetworkNames: Set<String> = ["bridge", "host", "none", "default"]

    /// `docker network create`: the network swarmkit's control API would store, unallocated;
    /// its allocator (ours or a real manager's on its next start) gives it a pool and a VXLAN ID.
    public func createNetwork(_ request: EngineNetworkCreate) throws -> String {
        let name = request.name
        guard !name.isEmpty else {
            throw EngineError.rpc(.badRequest, code: "InvalidArgument", "meta: name must be provided")
        }
        if Self.predefinedNetworkNames.contains(name) {
            throw EngineError(.forbidden, "\(name) is a pre-defined network and cannot be created")
        }
        guard request.isSwarmScoped else {
            throw EngineError(
                .notImplemented,
                "network \(name): driver \(request.driver.map { "\"\($0)\"" } ?? "bridge (Docker's default)") makes a network local to one engine; "
                    + "swarmsafe's embedded manager runs no engine and keeps only swarm-scoped networks: use --driver overlay")
        }
        if request.configOnly == true {
            throw EngineError(.notImplemented, "network \(name): --config-only networks are local to one engine; the embedded manager keeps none")
        }
        let spec = request.swarmSpec()
        for pool in spec.ipam.configs where !pool.subnet.isEmpty {
            guard Self.isCIDR(pool.subnet) else {
                throw EngineError.rpc(.badRequest, code: "InvalidArgument", "invalid subnet \(pool.subnet)")
            }
        }
        let view = try view()
        try Self.refuseOverlappingPools(spec, name: name, among: try view.networks())
        if spec.ingress, let existing = try view.networks().first(where: EngineNetwork.isIngress) {
            throw EngineError(.forbidden, "ingress network (\(existing.spec.annotations.name)) is already present")
        }
        if !spec.network.isEmpty {
            _ = try ObjectLookup.resolve(spec.network, kind: "network", in: try view.networks(), id: \.id, name: \.spec.annotations.name)
        }
        let id = Self.newID()
        return try write { tx in
            if try tx.store.decodedObjects(.network).contains(where: { $0.name == name }) {
                throw EngineError(.conflict, "network with name \(name) already exists")
            }
            var network = SwarmNetwork()
            network.id = id
            network.spec = spec
            try tx.create(.network(network))
            return id
        }
    }

    /// `docker network rm`: refused while a service or task uses the network, as swarmkit does.
    public func removeNetwork(_ reference: String) throws {
        let view = try view()
        let network = try ObjectLookup.resolve(
            reference, kind: "network", in: try view.networks(), id: \.id, name: \.spec.annotations.name)
        let name = network.spec.annotations.name
        if network.isPredefined || Self.predefinedNetworkNames.contains(name) {
            throw EngineError(.forbidden, "\(name) is a pre-defined network and cannot be removed")
        }
        for service in try view.services() {
            let targets = (service.spec.task.networks + service.spec.networks).map(\.target)
            if targets.contains(network.id) {
                throw EngineError.rpc(
                    .badRequest, code: "FailedPrecondition", "network \(network.id) is in use by service \(service.id)")
            }
        }
        try write { tx in try tx.remove(.network, id: network.id) }
    }

    /// A subnet another network has (or the same request twice) would leave the network
    /// without a pool: swarmkit's allocator fails it later, in its log only ("Pool overlaps
    /// with other one on this address space"), and its tasks never start. Said now instead.
    static func refuseOverlappingPools(_ spec: SwarmNetworkSpec, name: String, among networks: [SwarmNetwork]) throws(EngineError) {
        var seen: [(String, IPv4Prefix)] = networks.flatMap { network in
            network.ipv4Pools.map { (network.spec.annotations.name, $0) }
        }
        for pool in spec.ipam.configs.compactMap({ IPv4Prefix($0.subnet) }) {
            if let (other, taken) = seen.first(where: { $0.1.overlaps(pool) }) {
                throw EngineError.rpc(
                    .badRequest, code: "InvalidArgument",
                    "network \(name): subnet \(pool.description) overlaps \(taken.description) of network \(other): "
                        + "Pool overlaps with other one on this address space")
            }
            seen.append((name, pool))
        }
    }

    /// An IPv4 prefix as the allocator reads it, or an IPv6 one as Go's net.ParseCIDR accepts
    /// it, roughly: address/bits.
    static func isCIDR(_ text: String) -> Bool {
        guard text.contains(":") else { return IPv4Prefix(text) != nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]) else { return false }
        return (0...128).contains(bits) && parts[0].allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
