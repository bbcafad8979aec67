import SwarmProto

/// Which addresses of each network are taken — gateways, service VIPs, task and node
/// attachments — and the next free one, lowest first, as swarmkit's IPAM hands them out on
/// a fresh network (gateway .1, then .2, .3, …).
struct AddressBook {
    /// Addresses taken on each network, with how many objects hold each one.
    private var used: [String: [UInt32: Int]]

    /// The addresses `AllocationIndex` counted as held: gateways, VIPs, task and node attachments.
    init(holders: [String: [UInt32: Int]]) {
        used = holders
    }

    mutating func take(_ address: String, in networkID: String) {
        if let value = IPv4Prefix.parseAddressOrCIDR(address) { used[networkID, default: [:]][value, default: 0] += 1 }
    }

    /// The lowest free address of the network's first IPv4 pool (within its IP range when it
    /// has one), marked taken; nil when the network has no allocated IPv4 pool or it is full.
    mutating func next(in network: SwarmNetwork) -> String? {
        guard let config = network.ipam.configs.first(where: { $0.family != .ipv6 && IPv4Prefix($0.subnet) != nil }),
            let subnet = IPv4Prefix(config.subnet)
        else { return nil }
        let range = IPv4Prefix(config.range) ?? subnet
        let reserved = Set(config.reserved.values.compactMap(IPv4Prefix.parseAddress))
        // Neither the network's own address nor its broadcast address is handed out.
        var candidate = max(range.network, subnet.network &+ 1)
        let end = min(range.last, subnet.last &- 1)
        while candidate <= end {
            // Looked up in place: a copy of a big network's table would cost more than the scan.
            if used[network.id]?[candidate] == nil && !reserved.contains(candidate) {
                used[network.id, default: [:]][candidate] = 1
                return subnet.cidr(candidate)
            }
            candidate &+= 1
        }
        return nil
    }
}
