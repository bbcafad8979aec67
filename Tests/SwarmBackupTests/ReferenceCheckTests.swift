import Foundation
import SwarmBackup
import SwarmFormats
import SwarmProto
import SwarmSafeKit
import SwarmStore
import SwarmTestSupport
import Testing

/// `verify --deep` on a real replayed store: clean as swarmkit left it, and each kind of
/// dangling reference found once an object it points at is taken out.
@Suite struct ReferenceCheckTests {
    static func store() throws -> ObjectStore {
        let node = try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: Fixtures.folder("ha-3mgr-snapshot", "manager-1").path))
        return try #require(node.cluster?.store)
    }

    @Test func realStoreHasNoDanglingReferences() throws {
        #expect(try ReferenceCheck.findings(Self.store()) == [])
    }

    @Test func aRemovedSecretConfigOrNetworkIsFoundOnTheServicesUsingIt() throws {
        let full = try Self.store()
        var secretUser: (service: String, secret: String)?
        var configUser: (service: String, config: String)?
        var networkUser: (service: String, network: String)?
        for object in try full.decodedObjects(.service) {
            guard case .service(let service) = object else { continue }
            if case .container(let container)? = service.spec.task.runtime {
                if let secret = container.secrets.first { secretUser = secretUser ?? (service.id, secret.secretID) }
                if let config = container.configs.first { configUser = configUser ?? (service.id, config.configID) }
            }
            if let network = (service.spec.task.networks + service.spec.networks).first {
                networkUser = networkUser ?? (service.id, network.target)
            }
        }
        let secret = try #require(secretUser, "the fixture has a service using a secret")
        var store = full
        // No fixture service uses a config or attaches a network of its own (published ports
        // go through ingress implicitly): give a real service references to one of the
        // fixture's configs and networks, which are then removed like the secret.
        guard case .service(var service)? = try full.get(.service, id: secret.service)?.decoded(),
            case .container(var container)? = service.spec.task.runtime
        else { Issue.record("no container service"); return }
        if configUser == nil {
            var reference = SwarmConfigReference()
            reference.configID = try #require(full.objects(.config).first?.id)
            reference.configName = "added-by-test"
            container.configs.append(reference)
            configUser = (service.id, reference.configID)
        }
        if networkUser == nil {
            var attachment = SwarmNetworkAttachmentConfig()
            attachment.target = try #require(full.objects(.network).first?.id)
            service.spec.task.networks.append(attachment)
            networkUser = (service.id, attachment.target)
        }
        service.spec.task.runtime = .container(container)
        store.insert(try StoredObject(.service(service)))
        let config = try #require(configUser)
        let network = try #require(networkUser)
        #expect(try ReferenceCheck.findings(store) == [])
        store.remove(.secret, id: secret.secret)
        store.remove(.config, id: config.config)
        store.remove(.network, id: network.network)
        let findings = try ReferenceCheck.findings(store)
        #expect(findings.contains { $0.hasPrefix("service \(secret.service)") && $0.contains("secret \(secret.secret)") })
        #expect(findings.contains { $0.hasPrefix("service \(config.service)") && $0.contains("config \(config.config)") })
        #expect(findings.contains { $0.hasPrefix("service \(network.service)") && $0.contains("network \(network.network)") })
        #expect(!findings.contains { $0.hasPrefix("task") })
    }

    @Test func aRemovedServiceOrNodeIsFoundOnItsTasks() throws {
        let full = try Self.store()
        let tasks = try full.decodedObjects(.task).compactMap { object -> SwarmTask? in
            if case .task(let task) = object { task } else { nil }
        }
        let placed = try #require(tasks.first { !$0.nodeID.isEmpty && !$0.serviceID.isEmpty })
        var store = full
        store.remove(.service, id: placed.serviceID)
        store.remove(.node, id: placed.nodeID)
        let findings = try ReferenceCheck.findings(store)
        #expect(findings.contains("task \(placed.id): its service \(placed.serviceID) does not exist"))
        #expect(findings.contains("task \(placed.id): its node \(placed.nodeID) does not exist"))
        let orphans = tasks.filter { $0.serviceID == placed.serviceID }.count
        #expect(findings.filter { $0.contains("its service \(placed.serviceID)") }.count == orphans)
    }
}
