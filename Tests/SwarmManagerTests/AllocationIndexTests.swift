import Foundation
import SwarmProto
import SwarmStore
import SwarmTestSupport
import Testing

@testable import SwarmManager

/// The index a write starts from is moved on by each commit's changes only; after every write
/// of a random history it must equal the index built from the whole committed store, or the
/// allocation pass would hand out a taken address, miss a waiting task or misjudge a node's load.
@Suite struct AllocationIndexTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func movedOnByEachWriteItEqualsOneBuiltFromTheWholeStore(seed: UInt64) throws {
        let (manager, folder) = try AllocationTests.manager()
        defer { try? manager.close(); try? FileManager.default.removeItem(at: folder) }
        var random = SeededGenerator(seed: seed)
        let selfID = try manager.view().selfNodeID
        let backend = try AllocationTests.network("backend-0", in: manager.view()).id
        var services: [SwarmService] = []
        var writes = 0
        for step in 0..<40 {
            let view = try manager.view()
            do {
                switch Int.random(in: 0..<7, using: &random) {
                case 0, 1:
                    let ports: [(target: UInt32, published: UInt32)]
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: ports = []
                    case 1: ports = [(80, 0)]  // a dynamic port from 30000
                    default: ports = [(80, UInt32(8000 + step % 5))]  // fixed ones that may clash
                    }
                    var service = AllocationTests.service(
                        "s\(step)", replicas: UInt64.random(in: 0...3, using: &random), ports: ports,
                        networks: Bool.random(using: &random) ? [backend] : [])
                    if Int.random(in: 0..<4, using: &random) == 0 { service.spec.global = SwarmGlobalService() }
                    try manager.update { try $0.create(.service(service)) }
                    services.append(service)
                case 2:
                    guard let picked = services.randomElement(using: &random) else { break }
                    let replicas = UInt64.random(in: 0...4, using: &random)
                    try manager.update { tx in
                        guard case .service(var stored)? = tx.get(.service, id: picked.id), case .replicated? = stored.spec.mode else { return }
                        stored.spec.replicated.replicas = replicas
                        try tx.update(.service(stored))
                    }
                case 3:
                    guard let picked = services.randomElement(using: &random) else { break }
                    try manager.update { tx in
                        guard case .service(var stored)? = tx.get(.service, id: picked.id) else { return }
                        stored.spec.task.container.env = ["STEP=\(step)"]
                        try tx.update(.service(stored))
                    }
                case 4:
                    guard let index = services.indices.randomElement(using: &random) else { break }
                    let id = services.remove(at: index).id
                    try manager.update { try $0.remove(.service, id: id) }
                case 5:
                    let availability: SwarmNodeSpec.Availability = [.active, .active, .drain, .pause].randomElement(using: &random) ?? .active
                    try manager.update { tx in
                        guard case .node(var node)? = tx.get(.node, id: selfID) else { return }
                        node.spec.availability = availability
                        node.spec.annotations.labels["step"] = "\(step)"
                        try tx.update(.node(node))
                    }
                default:
                    var network = SwarmNetwork()
                    network.id = "indexnetwork\(String(format: "%013d", step))"
                    network.spec.annotations.name = "net\(step)"
                    network.spec.driverConfig.name = "overlay"
                    try manager.update { try $0.create(.network(network)) }
                }
            } catch ManagerError.portInUse {
                // Refused and nothing written, as the docker CLI would be told.
                #expect(try manager.view().commitIndex == view.commitIndex)
            }
            let committed = try manager.view()
            if committed.commitIndex > view.commitIndex { writes += 1 }
            // Built by the first write; a step that found nothing to change may come before it.
            guard let index = manager.allocationIndex else {
                #expect(writes == 0)
                continue
            }
            #expect(index == (try AllocationIndex(store: committed.store, decoded: DecodedObjectCache())), "after step \(step) (seed \(seed))")
        }
        #expect(writes >= 25, "most steps wrote something")
        // The history did exercise the index: tasks were placed and some still wait.
        let final = try #require(manager.allocationIndex)
        #expect(!final.tasksByService.isEmpty && !final.addressHolders.isEmpty)
    }
}
