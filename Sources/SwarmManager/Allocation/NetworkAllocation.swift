import SwarmProto

/// What swarmkit's network allocator gives a new overlay network: the spec's driver options
/// and a VXLAN ID per pool in its driver state, and pools with gateways in its IPAM state — a subnet of the cluster's
/// default address pool (10.0.0.0/8 in /24s) when the spec names none.
struct NetworkAllocation {
    static let firstVXLANID = 4096
    static let vxlanOption = "com.docker.network.driver.overlay.vxlanid_list"

    private var vxlanIDs: Set<Int>
    /// Every network's pools, allocated or asked for, by network ID.
    private var subnets: [(owner: String, prefix: IPv4Prefix)]
    private let defaultPools: [IPv4Prefix]
    private let subnetSize: Int

    init(networks: [SwarmNetwork], cluster: SwarmCluster?) {
        vxlanIDs = Set(networks.flatMap { network in
            (network.driverState.options[Self.vxlanOption] ?? "").split(separator: ",").compactMap { Int($0) }
        })
        subnets = networks.flatMap { network in network.ipv4Pools.map { (owner: network.id, prefix: $0) } }
        let pools = (cluster?.defaultAddressPool ?? []).compactMap(IPv4Prefix.init)
        defaultPools = pools.isEmpty ? [IPv4Prefix(network: 10 << 24, bits: 8)] : pools
        let size = Int(cluster?.subnetSize ?? 0)
        subnetSize = (1...32).contains(size) ? size : 24
    }

    /// Whether the allocator still has to do this network. Docker's predefined `bridge` and
    /// `host` networks are the engine's own and never get pools.
    static func needsAllocation(_ network: SwarmNetwork) -> Bool {
        !network.hasDriverState && !network.isPredefined && network.spec.network.isEmpty
    }

    /// The network allocated, or nil when a pool cannot be found (the network is left for
    /// a real manager's allocator, which reports why).
    mutating func allocate(_ network: SwarmNetwork) -> SwarmNetwork? {
        var out = network
        var ipam = SwarmIPAMOptions()
        var driver = SwarmDriver()
        driver.name = network.spec.ipam.driver.name.isEmpty ? "default" : network.spec.ipam.driver.name
        driver.options = network.spec.ipam.driver.options
        ipam.driver = driver
        let requested = network.spec.ipam.configs.filter { $0.family != .ipv6 }
        if requested.isEmpty {
            guard let subnet = nextFreeSubnet(for: network.id) else { return nil }
            var config = SwarmIPAMConfig()
            config.family = .ipv4
            config.subnet = subnet.description
            config.gateway = IPv4Prefix.format(subnet.network &+ 1)
            ipam.configs = [config]
        } else {
            for wanted in requested {
                // A pool another network has is refused by swarmkit's IPAM ("Pool overlaps
                // with other one on this address space"): the network stays unallocated.
                guard let subnet = IPv4Prefix(wanted.subnet),
                    !subnets.contains(where: { $0.owner != network.id && $0.prefix.overlaps(subnet) })
                else { return nil }
                var config = wanted
                config.family = .ipv4
                if config.gateway.isEmpty { config.gateway = IPv4Prefix.format(subnet.network &+ 1) }
                ipam.configs.append(config)
            }
        }
        out.ipam = ipam
        var state = SwarmDriver()
        state.name = network.spec.driverConfig.name.isEmpty ? "overlay" : network.spec.driverConfig.name
        if state.name == "overlay" {
            // The spec's driver options travel in the driver state: that is what each engine
            // creates the network with (an MTU, encryption).
            state.options = network.spec.driverConfig.options
            state.options[Self.vxlanOption] = ipam.configs.map { _ in String(nextVXLANID()) }.joined(separator: ",")
        }
        out.driverState = state
        return out
    }

    private mutating func nextVXLANID() -> Int {
        var id = Self.firstVXLANID
        while vxlanIDs.contains(id) { id += 1 }
        vxlanIDs.insert(id)
        return id
    }

    private mutating func nextFreeSubnet(for owner: String) -> IPv4Prefix? {
        for pool in defaultPools where pool.bits <= subnetSize {
            let step = UInt32(1) << UInt32(32 - subnetSize)
            var candidate = pool.network
            while pool.contains(candidate) {
                let subnet = IPv4Prefix(network: candidate, bits: subnetSize)
                if !subnets.contains(where: { $0.prefix.overlaps(subnet) }) {
                    subnets.append((owner: owner, prefix: subnet))
                    return subnet
                }
                let (next, overflow) = candidate.addingReportingOverflow(step)
                if overflow { break }
                candidate = next
            }
        }
        return nil
    }
}

extension SwarmNetwork {
    /// Docker stores its engine's own `bridge` and `host` networks in the swarm with this
    /// label; they belong to each engine, not to the swarm.
    public var isPredefined: Bool { spec.annotations.labels["com.docker.swarm.predefined"] == "true" }

    /// The IPv4 pools the network holds or asks for.
    public var ipv4Pools: [IPv4Prefix] { (ipam.configs + spec.ipam.configs).compactMap { IPv4Prefix($0.subnet) } }
}
