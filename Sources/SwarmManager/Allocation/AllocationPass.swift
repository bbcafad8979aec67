import Foundation
import SwarmProto
import SwarmStore
import SwiftProtobuf

/// What swarmkit's allocator and scheduler do after a change, done in the same transaction
/// so the entry the embedded manager writes already holds it: networks get pools and VXLAN
/// IDs, services their published ports and VIPs, new tasks their network addresses and a
/// node (ASSIGNED), and nodes an address on each network their tasks use. A real manager
/// booting the folder takes these allocations over as its own. Whatever cannot be done here
/// (an IPv6-only or plugin network, a full pool) is left untouched for a real allocator.
struct AllocationPass {
    let selfNodeID: String
    let now: Date
    /// Decodes only the objects that changed since the last write.
    var decoded = DecodedObjectCache()

    enum EndpointPlan {
        case keep
        case clear
        case set(SwarmEndpoint)
    }

    /// `index`: the swarm as `transaction` has it so far (`AllocationIndex.applying`); the pass
    /// reads whole kinds only for networks and nodes, which are few, and otherwise only the
    /// services it touched and the tasks the index says are waiting.
    func run(
        _ transaction: inout StoreTransaction, index: AllocationIndex, services touched: Set<String>, nodesChanged: Bool
    ) throws {
        // Only services, nodes, networks and tasks give the allocator work; a secret or a
        // config written alone must not cost a decode of every task in the store.
        let allocatable: Set<ObjectKind> = [.network, .task]
        guard !touched.isEmpty || nodesChanged
            || transaction.actions.contains(where: { $0.target.map { allocatable.contains($0.kind) } == true })
        else { return }
        var networks = try decoded.networks(in: transaction.store)
        var networkAllocation = NetworkAllocation(networks: networks, cluster: try transaction.store.clusters().first)
        var addresses = AddressBook(holders: index.addressHolders)
        // Ingress first (a real manager allocates it as it starts, so it has the first pool),
        // then in the order the networks were made.
        let order = networks.indices.sorted { a, b in
            let (x, y) = (networks[a], networks[b])
            if x.spec.ingress != y.spec.ingress { return x.spec.ingress }
            let (made, other) = (x.meta.createdAt, y.meta.createdAt)
            if made != other { return (made.seconds, made.nanos) < (other.seconds, other.nanos) }
            return x.id < y.id
        }
        for index in order where NetworkAllocation.needsAllocation(networks[index]) {
            guard let allocated = networkAllocation.allocate(networks[index]) else { continue }
            if case .network(let stored) = try transaction.update(.network(allocated)) { networks[index] = stored }
            // The index saw the network before it had a pool: its new gateway is taken now.
            for config in allocated.ipam.configs { addresses.take(config.gateway, in: allocated.id) }
        }
        let networksByID = Dictionary(networks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let ingress = networks.first { $0.spec.ingress }

        let waiting = try index.waiting.compactMap { try decoded.task($0, in: transaction.store) }
        var nodes = try decoded.nodes(in: transaction.store)
        var ports = PublishedPorts(owners: index.portOwners)

        // Every node has an address on the ingress network (its routing mesh endpoint) from
        // the moment the network is allocated, before any service takes one.
        if let ingress, ingress.hasDriverState {
            for index in nodes.indices where !nodes[index].attachments.contains(where: { $0.network.id == ingress.id }) {
                guard let address = addresses.next(in: ingress) else { break }
                var attachment = SwarmNetworkAttachment()
                attachment.network = ingress
                attachment.addresses = [address]
                nodes[index].attachments.append(attachment)
                if case .node(let stored) = try transaction.update(.node(nodes[index])) { nodes[index] = stored }
            }
        }

        var services = Services(store: transaction.store, decoded: decoded)
        for id in touched.sorted() {
            guard var service = try services[id] else { continue }
            switch try plan(service, networks: networksByID, ingress: ingress, addresses: &addresses, ports: &ports, services: &services) {
            case .keep: continue
            case .clear: service.clearEndpoint()
            case .set(let endpoint): service.endpoint = endpoint
            }
            if case .service(let stored) = try transaction.update(.service(service)) { services.replace(stored) }
        }

        var scheduler = TaskScheduler(
            nodes: nodes, load: index.load, serviceLoad: index.serviceLoad, selfNodeID: selfNodeID, now: now)
        var attachmentsWanted: [String: [SwarmNetwork]] = [:]
        // Slot order, as swarmkit's orchestrator creates a service's tasks and its allocator
        // then reaches them: slot 1 gets the lower addresses, whatever the tasks' random IDs.
        let inOrder = waiting.sorted { ($0.serviceID, $0.slot, $0.nodeID, $0.id) < ($1.serviceID, $1.slot, $1.nodeID, $1.id) }
        for task in inOrder where task.desiredState == .running {
            var next = task
            if task.status.state == .new {
                guard let service = try services[task.serviceID],
                    let allocated = allocate(task, service: service, networks: networksByID, ingress: ingress, addresses: &addresses)
                else { continue }
                next = scheduler.schedule(allocated)
            } else if task.status.state == .pending && nodesChanged {
                next = scheduler.schedule(task)
            } else {
                continue
            }
            guard next != task else { continue }
            if next.status.state == .assigned {
                attachmentsWanted[next.nodeID, default: []].append(contentsOf: next.networks.map(\.network))
            }
            try transaction.update(.task(next))
        }

        for index in nodes.indices {
            guard let wanted = attachmentsWanted[nodes[index].id] else { continue }
            var node = nodes[index]
            for network in wanted where !node.attachments.contains(where: { $0.network.id == network.id }) {
                guard let address = addresses.next(in: network) else { continue }
                var attachment = SwarmNetworkAttachment()
                attachment.network = network
                attachment.addresses = [address]
                node.attachments.append(attachment)
            }
            if node != nodes[index] { try transaction.update(.node(node)) }
            nodes[index] = node
        }
    }

    /// Services by ID, decoded when first asked for, as this pass has changed them.
    struct Services {
        let store: ObjectStore
        let decoded: DecodedObjectCache
        private var seen: [String: SwarmService?] = [:]

        init(store: ObjectStore, decoded: DecodedObjectCache) {
            self.store = store
            self.decoded = decoded
        }

        subscript(id: String) -> SwarmService? {
            mutating get throws {
                if let known = seen[id] { return known }
                let service = try decoded.service(id, in: store)
                seen[id] = service
                return service
            }
        }

        mutating func replace(_ service: SwarmService) { seen[service.id] = service }
    }

    /// The networks a service's tasks attach to: the task template's, or the deprecated
    /// service-level list older clients send.
    static func attachments(_ spec: SwarmServiceSpec) -> [SwarmNetworkAttachmentConfig] {
        spec.task.networks.isEmpty ? spec.networks : spec.task.networks
    }

    private func plan(
        _ service: SwarmService, networks: [String: SwarmNetwork], ingress: SwarmNetwork?,
        addresses: inout AddressBook, ports: inout PublishedPorts, services: inout Services
    ) throws -> EndpointPlan {
        let spec = service.spec
        let attached = Self.attachments(spec).map(\.target)
        let wantedPorts = spec.endpoint.ports
        // swarmkit gives an endpoint only to a service that publishes ports or joins networks.
        guard !wantedPorts.isEmpty || !attached.isEmpty else { return service.hasEndpoint ? .clear : .keep }
        for port in wantedPorts {
            if let owner = ports.owner(of: port, besides: service.id) {
                throw ManagerError.portInUse(
                    port: port.publishedPort, service: try services[owner]?.spec.annotations.name ?? owner, serviceID: owner)
            }
        }
        guard let allocatedPorts = ports.allocate(wantedPorts, serviceID: service.id, previous: service.endpoint.ports) else {
            return .keep
        }
        var endpoint = SwarmEndpoint()
        endpoint.spec = spec.endpoint
        endpoint.ports = allocatedPorts
        if spec.endpoint.mode == .vip {
            var wanted: [String] = []
            if allocatedPorts.contains(where: { $0.publishMode == .ingress }), let ingress { wanted.append(ingress.id) }
            for id in attached where !wanted.contains(id) { wanted.append(id) }
            for id in wanted {
                if let kept = service.endpoint.virtualIps.first(where: { $0.networkID == id }) {
                    endpoint.virtualIps.append(kept)
                    continue
                }
                guard let network = networks[id], network.hasDriverState, let address = addresses.next(in: network) else {
                    return .keep
                }
                var vip = SwarmEndpoint.VirtualIP()
                vip.networkID = id
                vip.addr = address
                endpoint.virtualIps.append(vip)
            }
        }
        return service.hasEndpoint && endpoint == service.endpoint ? .keep : .set(endpoint)
    }

    /// A new task with its network attachments and endpoint, PENDING as the allocator leaves
    /// it; nil while a network it needs is not allocated.
    private func allocate(
        _ task: SwarmTask, service: SwarmService, networks: [String: SwarmNetwork], ingress: SwarmNetwork?,
        addresses: inout AddressBook
    ) -> SwarmTask? {
        var configs: [SwarmNetworkAttachmentConfig] = []
        if service.endpoint.ports.contains(where: { $0.publishMode == .ingress }), let ingress {
            var config = SwarmNetworkAttachmentConfig()
            config.target = ingress.id
            configs.append(config)
        }
        configs += task.spec.networks.isEmpty ? service.spec.networks : task.spec.networks
        var out = task
        out.networks = []
        for config in configs {
            guard let network = networks[config.target], network.hasDriverState else { return nil }
            var attachment = SwarmNetworkAttachment()
            attachment.network = network
            attachment.aliases = config.aliases
            attachment.driverAttachmentOpts = config.driverAttachmentOpts
            if config.addresses.isEmpty {
                guard let address = addresses.next(in: network) else { return nil }
                attachment.addresses = [address]
            } else {
                attachment.addresses = config.addresses
                for address in config.addresses { addresses.take(address, in: network.id) }
            }
            out.networks.append(attachment)
        }
        if service.hasEndpoint { out.endpoint = service.endpoint }
        var status = out.status
        status.state = .pending
        status.message = "pending task scheduling"
        status.timestamp = Google_Protobuf_Timestamp(date: now)
        out.status = status
        return out
    }
}
