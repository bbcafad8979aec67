import SwarmProto
import SwarmStore

/// What the orchestrator and the allocation pass need to know about every task, service,
/// node and network — which tasks a service has, which tasks wait for an address or a node,
/// which addresses are taken, how loaded each node is, who owns each published port — kept
/// up to date from each write's changes. Built once from the whole store; after that a write
/// costs in proportion to the objects it changed, not to the size of the swarm.
struct AllocationIndex: Sendable, Equatable {
    /// Every task's ID, by its service.
    private(set) var tasksByService: [String: Set<String>] = [:]
    /// Tasks meant to run that the allocator or the scheduler has still to reach (NEW, PENDING).
    private(set) var waiting: Set<String> = []
    /// How many objects hold each address of each network: gateways, service VIPs, task and
    /// node attachments. Counted, so that one holder letting go leaves the address taken by
    /// the others.
    private(set) var addressHolders: [String: [UInt32: Int]] = [:]
    /// Tasks on each node that are still meant to run: the scheduler's load, overall and per service.
    private(set) var load: [String: Int] = [:]
    private(set) var serviceLoad: [String: [String: Int]] = [:]
    /// The service owning each published ingress port.
    private(set) var portOwners: [PublishedPorts.Key: String] = [:]

    /// The kinds whose objects the index follows.
    static let kinds: [ObjectKind] = [.network, .node, .service, .task]

    init(store: ObjectStore, decoded: DecodedObjectCache) throws {
        for kind in Self.kinds {
            for stored in store.objects(kind) { add(try decoded.object(stored)) }
        }
    }

    /// The index after the changes `transaction` made to `base`, the store it started from.
    func applying(_ transaction: StoreTransaction, from base: ObjectStore, decoded: DecodedObjectCache) throws -> AllocationIndex {
        var next = self
        var seen: Set<String> = []
        for action in transaction.actions {
            guard let target = action.target, Self.kinds.contains(target.kind) else { continue }
            let kind = target.kind
            // An object changed twice is counted once, from its first to its final form.
            guard seen.insert("\(kind.rawValue)/\(target.id)").inserted else { continue }
            if let before = base.get(kind, id: target.id) { next.remove(try decoded.object(before)) }
            if let after = transaction.store.get(kind, id: target.id) { next.add(try decoded.object(after)) }
        }
        return next
    }

    private mutating func add(_ object: StoreObject) { apply(object, +1) }
    private mutating func remove(_ object: StoreObject) { apply(object, -1) }

    private mutating func apply(_ object: StoreObject, _ sign: Int) {
        switch object {
        case .task(let task):
            update(&tasksByService[task.serviceID, default: []], task.id, sign)
            if task.desiredState == .running && (task.status.state == .new || task.status.state == .pending) {
                update(&waiting, task.id, sign)
            }
            for attachment in task.networks {
                for address in attachment.addresses { count(address, in: attachment.network.id, sign) }
            }
            if !task.nodeID.isEmpty && task.desiredState.rawValue <= SwarmTaskState.running.rawValue {
                load[task.nodeID, default: 0] += sign
                serviceLoad[task.serviceID, default: [:]][task.nodeID, default: 0] += sign
                // Zero counts are dropped, so the index equals one built afresh.
                if load[task.nodeID] == 0 { load[task.nodeID] = nil }
                if serviceLoad[task.serviceID]?[task.nodeID] == 0 { serviceLoad[task.serviceID]?[task.nodeID] = nil }
                if serviceLoad[task.serviceID]?.isEmpty == true { serviceLoad[task.serviceID] = nil }
            }
            if tasksByService[task.serviceID]?.isEmpty == true { tasksByService[task.serviceID] = nil }
        case .node(let node):
            for attachment in node.attachments {
                for address in attachment.addresses { count(address, in: attachment.network.id, sign) }
            }
        case .service(let service):
            for vip in service.endpoint.virtualIps { count(vip.addr, in: vip.networkID, sign) }
            for port in service.endpoint.ports where port.publishMode == .ingress && port.publishedPort != 0 {
                let key = PublishedPorts.Key(port: port.publishedPort, proto: port.protocol.rawValue)
                if sign > 0 {
                    portOwners[key] = service.id
                } else if portOwners[key] == service.id {
                    portOwners[key] = nil
                }
            }
        case .network(let network):
            for config in network.ipam.configs {
                if let gateway = IPv4Prefix.parseAddressOrCIDR(config.gateway) { count(gateway, in: network.id, sign) }
            }
        default:
            return
        }
    }

    private func update(_ set: inout Set<String>, _ id: String, _ sign: Int) {
        if sign > 0 { set.insert(id) } else { set.remove(id) }
    }

    private mutating func count(_ address: String, in networkID: String, _ sign: Int) {
        guard let value = IPv4Prefix.parseAddressOrCIDR(address) else { return }
        count(value, in: networkID, sign)
    }

    private mutating func count(_ value: UInt32, in networkID: String, _ sign: Int) {
        let held = (addressHolders[networkID]?[value] ?? 0) + sign
        addressHolders[networkID, default: [:]][value] = held > 0 ? held : nil
        if addressHolders[networkID]?.isEmpty == true { addressHolders[networkID] = nil }
    }
}
