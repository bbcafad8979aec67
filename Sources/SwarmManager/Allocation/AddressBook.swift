import SwarmProto

/// Which addresses of each network are taken — gateways, service VIPs, task and node
/// attachments — and the next free one, lowest first, as swarmkit's IPAM hands them out on
/// a fresh network (gateway .1, then .2, .3, …).
struct AddressBook {
    private var used: [String: Set<UInt32>] = [:]

    init(services: [SwarmService], tasks: [SwarmTask], nodes: [SwarmNode], networks: [SwarmNetwork]) {
        for network in networks {
            for config in network.ipam.configs {
                if let gateway = IPv4Prefix.parseAddressOrCIDR(config.gateway) { used[network.id, default: []].insert(gateway) }
            }
        }
        for service in services {
            for vip in service.endpoint.virtualIps { take(vip.addr, in: vip.networkID) }
        }
        for attachment in tasks.flatMap(\.networks) + nodes.flatMap(\.attachments) {
            for address in attachment.addresses { take(address, in: attachment.network.id) }
        }
    }

    mutating func take(_ address: String, in networkID: String) {
        if let value = IPv4Prefix.parseAddressOrCIDR(address) { used[networkID, default: []].insert(value) }
    }

    /// The lowest free address of the network's first IPv4 pool (within its IP range when it
    /// has one), marked taken; nil when the network has no allocated IPv4 pool or it is full.
    mutating func next(in network: SwarmNetwork) -> String? {
        guard let config = network.ipam.configs.first(where: { $0.family != .ipv6 && IPv4Prefix($0.subnet) != nil }),
            let subnet = IPv4Prefix(config.subnet)
        else { return nil }
        let range = IPv4Prefix(config.range) ?? subnet
        var taken = used[network.id] ?? []
        for reserved in config.reserved.values { if let value = IPv4Prefix.parseAddress(reserved) { taken.insert(value) } }
        // Neither the network's own address nor its broadcast address is handed out.
        var candidate = max(range.network, subnet.network &+ 1)
        let end = min(range.last, subnet.last &- 1)
        while candidate <= end {
            if !taken.contains(candidate) {
                used[network.id, default: []].insert(candidate)
                return subnet.cidr(candidate)
            }
            candidate &+= 1
        }
        return nil
    }
}
