import Foundation
import SwarmFormats
import SwarmManager
import SwarmProto
import SwarmStore
import SwarmTestSupport
import Testing

/// The allocation pass on a real swarmkit folder: the pools, VIPs, published ports, task
/// addresses and nodes a real manager gave the same services (read from a dockerd state
/// directory made with `docker service create --publish 8080:80 --network plainnet
/// --replicas 2` and `--publish 80`: ingress 10.0.0.0/24 with VXLAN 4096, the node's ingress
/// address .2, the first VIP .3, tasks .4 and .5; the overlay 10.0.1.0/24 with 4097).
@Suite struct AllocationTests {
    static func manager() throws -> (EmbeddedManager, URL) {
        let folder = Fixtures.copy("single-manager", "manager-1")
        return (try EmbeddedManager(directory: StateDirectory(path: folder.path), unlockKey: nil), folder)
    }

    static func network(_ name: String, in view: ManagerView) throws -> SwarmNetwork {
        try #require(try view.store.networks().first { $0.spec.annotations.name == name })
    }

    static func service(_ name: String, replicas: UInt64 = 1, ports: [(target: UInt32, published: UInt32)] = [],
        networks: [String] = [], constraints: [String] = []) -> SwarmService {
        var service = EmbeddedManagerTests.service(name, replicas: replicas)
        for port in ports {
            var config = SwarmPortConfig()
            config.targetPort = port.target
            config.publishedPort = port.published
            service.spec.endpoint.ports.append(config)
        }
        service.spec.task.networks = networks.map { id in
            var attachment = SwarmNetworkAttachmentConfig()
            attachment.target = id
            attachment.aliases = [name]
            return attachment
        }
        service.spec.task.placement.constraints = constraints
        return service
    }

    static func stored(_ id: String, in view: ManagerView) throws -> SwarmService {
        guard case .service(let service)? = try view.store.get(.service, id: id)?.decoded() else {
            throw StoreTransactionError.notFound(kind: "service", id: id)
        }
        return service
    }

    @Test func servicesGetWhatSwarmkitsAllocatorGaveTheSameServices() throws {
        let (manager, folder) = try Self.manager()
        defer { try? manager.close(); try? FileManager.default.removeItem(at: folder) }
        let before = try manager.view()
        let backend = try Self.network("backend-0", in: before)
        let pub = Self.service("pub", replicas: 2, ports: [(80, 8080)], networks: [backend.id])
        try manager.update { try $0.create(.service(pub)) }
        let auto = Self.service("auto", ports: [(80, 0)])
        try manager.update { try $0.create(.service(auto)) }
        let view = try manager.view()

        let ingress = try Self.network("ingress", in: view)
        #expect(ingress.ipam.configs.map { [$0.subnet, $0.gateway] } == [["10.0.0.0/24", "10.0.0.1"]])
        #expect(ingress.driverState.name == "overlay")
        #expect(ingress.driverState.options == ["com.docker.network.driver.overlay.vxlanid_list": "4096"])
        let allocatedBackend = try Self.network("backend-0", in: view)
        #expect(allocatedBackend.ipam.configs.map { [$0.subnet, $0.gateway] } == [["10.0.1.0/24", "10.0.1.1"]])
        #expect(allocatedBackend.driverState.options["com.docker.network.driver.overlay.vxlanid_list"] == "4097")
        #expect(allocatedBackend.ipam.driver.name == "default")

        let node = try #require(view.selfNode)
        #expect(node.attachments.map { [$0.network.id, $0.addresses.joined()] }
            == [[ingress.id, "10.0.0.2/24"], [backend.id, "10.0.1.5/24"]])

        let pubEndpoint = try Self.stored(pub.id, in: view).endpoint
        #expect(pubEndpoint.ports.map(\.publishedPort) == [8080])
        #expect(pubEndpoint.virtualIps.map { [$0.networkID, $0.addr] } == [[ingress.id, "10.0.0.3/24"], [backend.id, "10.0.1.2/24"]])
        let pubTasks = try EmbeddedManagerTests.tasks(of: pub.id, in: view.store).sorted { $0.slot < $1.slot }
        #expect(pubTasks.map(\.status.state) == [.assigned, .assigned])
        #expect(pubTasks.allSatisfy { $0.nodeID == view.selfNodeID && $0.status.message == "scheduler assigned task to node" })
        #expect(pubTasks.map { $0.networks.map { $0.addresses.joined() } } == [["10.0.0.4/24", "10.0.1.3/24"], ["10.0.0.5/24", "10.0.1.4/24"]])
        #expect(pubTasks.allSatisfy { $0.networks.last?.aliases == ["pub"] && $0.endpoint == pubEndpoint })

        let autoEndpoint = try Self.stored(auto.id, in: view).endpoint
        #expect(autoEndpoint.spec.ports.map(\.publishedPort) == [0])
        #expect(autoEndpoint.ports.map(\.publishedPort) == [30000])
        #expect(autoEndpoint.virtualIps.map(\.addr) == ["10.0.0.6/24"])

        // A port another service publishes is refused, and nothing is written.
        let clash = Self.service("clash", ports: [(81, 8080)])
        #expect(throws: ManagerError.portInUse(port: 8080, service: "pub", serviceID: pub.id)) {
            try manager.update { try $0.create(.service(clash)) }
        }
        #expect(try manager.view().commitIndex == view.commitIndex)

        // An update keeps the VIPs and the dynamic port; the new tasks get new addresses.
        try manager.update { tx in
            guard case .service(var stored)? = tx.get(.service, id: auto.id) else { return }
            stored.spec.task.container.env = ["MODE=blue"]
            try tx.update(.service(stored))
        }
        let updated = try manager.view()
        #expect(try Self.stored(auto.id, in: updated).endpoint == autoEndpoint)
        let autoTasks = try EmbeddedManagerTests.tasks(of: auto.id, in: updated.store).filter { $0.desiredState == .running }
        #expect(autoTasks.map { $0.networks.map { $0.addresses.joined() } } == [["10.0.0.8/24"]])

        // A pool another network holds is refused by swarmkit's IPAM: a network asking for one
        // (written by another tool; serve refuses it at create) is left unallocated.
        var clashing = SwarmNetwork()
        clashing.id = "clashingnetwork0000000001"
        clashing.spec.annotations.name = "clashing"
        clashing.spec.driverConfig.name = "overlay"
        var pool = SwarmIPAMConfig()
        pool.subnet = "10.0.1.128/25"
        clashing.spec.ipam.configs = [pool]
        try manager.update { try $0.create(.network(clashing)) }
        #expect(try !Self.network("clashing", in: manager.view()).hasDriverState)

        // A network made with driver options keeps them in its driver state, beside its VXLAN ID.
        var tuned = SwarmNetwork()
        tuned.id = "tunednetwork0000000000001"
        tuned.spec.annotations.name = "tuned"
        tuned.spec.driverConfig.name = "overlay"
        tuned.spec.driverConfig.options = ["com.docker.network.driver.mtu": "1400"]
        try manager.update { try $0.create(.network(tuned)) }
        #expect(try Self.network("tuned", in: manager.view()).driverState.options
            == ["com.docker.network.driver.mtu": "1400", "com.docker.network.driver.overlay.vxlanid_list": "4099"])
    }

    @Test func constraintsNodeChangesAndDrainMoveTasksAsSwarmkitsSchedulerDoes() throws {
        let (manager, folder) = try Self.manager()
        defer { try? manager.close(); try? FileManager.default.removeItem(at: folder) }
        let onWorkers = Self.service("on-workers", constraints: ["node.role==worker"])
        let east = Self.service("east", replicas: 2, constraints: ["node.labels.zone == east"])
        try manager.update { tx in
            try tx.create(.service(onWorkers))
            try tx.create(.service(east))
        }
        func tasks(_ service: SwarmService) throws -> [SwarmTask] {
            try EmbeddedManagerTests.tasks(of: service.id, in: manager.view().store).filter { $0.desiredState == .running }
        }
        #expect(try tasks(onWorkers).map(\.status.state) == [.pending])
        #expect(try tasks(onWorkers).map(\.status.err) == ["no suitable node (scheduling constraints not satisfied on 1 node)"])
        #expect(try tasks(east).map(\.status.state) == [.pending, .pending])

        let selfID = try manager.view().selfNodeID
        func updateNode(_ change: (inout SwarmNode) -> Void) throws {
            try manager.update { tx in
                guard case .node(var node)? = tx.get(.node, id: selfID) else { return }
                change(&node)
                try tx.update(.node(node))
            }
        }
        // A label the constraint asks for lets the scheduler place the pending tasks.
        try updateNode { $0.spec.annotations.labels["zone"] = "east" }
        #expect(try tasks(east).map(\.status.state) == [.assigned, .assigned])
        #expect(try tasks(onWorkers).map(\.status.state) == [.pending])

        // Drain: the assigned tasks are shut down, their replacements wait for a node.
        let placed = try tasks(east).map(\.id)
        try updateNode { $0.spec.availability = .drain }
        let all = try EmbeddedManagerTests.tasks(of: east.id, in: manager.view().store)
        #expect(all.filter { placed.contains($0.id) }.map(\.desiredState) == [.shutdown, .shutdown])
        #expect(try tasks(east).map(\.status.err) == Array(repeating: "no suitable node (1 node not available for new tasks)", count: 2))
        try updateNode { $0.spec.availability = .active }
        #expect(try tasks(east).map(\.status.state) == [.assigned, .assigned])
    }
}
