import Foundation
import SwarmBackup
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmStore
import SwarmTestSupport
import Testing

/// `verify --deep` on a real replayed store: clean as swarmkit left it; a service's dangling
/// secret, config or network is a finding; tasks of removed services or nodes, which swarmkit
/// cleans up itself, are counted as information.
@Suite struct ReferenceCheckTests {
    static func store() throws -> ObjectStore {
        let node = try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: Fixtures.folder("ha-3mgr-snapshot", "manager-1").path))
        return try #require(node.cluster?.store)
    }

    @Test func realStoreHasNoDanglingReferences() throws {
        #expect(try ReferenceCheck.check(Self.store()) == ReferenceReport(findings: [], information: []))
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
        #expect(try ReferenceCheck.check(store).findings == [])
        store.remove(.secret, id: secret.secret)
        store.remove(.config, id: config.config)
        store.remove(.network, id: network.network)
        let report = try ReferenceCheck.check(store)
        let findings = report.findings
        #expect(report.information == [])
        #expect(findings.contains { $0.hasPrefix("service \(secret.service)") && $0.contains("secret \(secret.secret)") })
        #expect(findings.contains { $0.hasPrefix("service \(config.service)") && $0.contains("config \(config.config)") })
        #expect(findings.contains { $0.hasPrefix("service \(network.service)") && $0.contains("network \(network.network)") })
        #expect(!findings.contains { $0.hasPrefix("task") })
    }

    /// ha-3mgr-snapshot: service web-4 (global, 5 tasks, one on each node) is removed, and
    /// worker wbncn1t1n4vcdl9p96onvst7s (6 tasks, web-4's among them) with it; one of that
    /// node's tasks was already stopped (desired SHUTDOWN).
    @Test func tasksOfRemovedServicesOrNodesAreInformationWithTheirCounts() throws {
        let full = try Self.store()
        let web4 = "zj78f80krzuuel6m8t5h0o8iq"
        let worker = "wbncn1t1n4vcdl9p96onvst7s"
        var store = full
        guard case .task(var stopped)? = try full.get(.task, id: "eqrd0tevpk857aixnd7sfv4ag")?.decoded() else {
            Issue.record("the fixture's web-1 task on the worker is missing"); return
        }
        #expect(stopped.nodeID == worker && stopped.desiredState == .running)
        stopped.desiredState = .shutdown
        store.insert(try StoredObject(.task(stopped)))
        store.remove(.service, id: web4)
        store.remove(.node, id: worker)

        let report = try ReferenceCheck.check(store)
        #expect(report.findings == [])
        #expect(report.information == [
            "5 tasks of removed services await swarmkit's cleanup: its orchestrators delete them when the manager starts",
            "1 stopped task on removed nodes is history until swarmkit's task reaper deletes it",
            "4 tasks still meant to run on removed nodes: swarmkit's orchestrators reschedule or shut them down when the manager starts",
        ])
        // Nothing is taken out: 30 tasks in the fixture, 5 + 1 + 4 of them dangling.
        #expect(store.count(.task) == 30)
    }

    /// A store with a removed service but a still-missing secret: the finding stays a finding
    /// and the tasks stay information, side by side.
    @Test func findingsAndInformationAreKeptApart() throws {
        var store = try Self.store()
        let web0 = "dt34wc5dx4zln1ywzvzpjwb5m"
        store.remove(.service, id: web0)
        let users = try store.decodedObjects(.service).compactMap { object -> (String, String)? in
            guard case .service(let service) = object, case .container(let container)? = service.spec.task.runtime,
                let secret = container.secrets.first
            else { return nil }
            return (service.id, secret.secretID)
        }
        let (user, secret) = try #require(users.first, "a fixture service uses a secret")
        store.remove(.secret, id: secret)
        let report = try ReferenceCheck.check(store)
        #expect(report.findings.count == users.filter { $0.1 == secret }.count)
        #expect(report.findings.contains { $0.hasPrefix("service \(user)") && $0.contains("secret \(secret)") })
        #expect(report.information == [
            "2 tasks of removed services await swarmkit's cleanup: its orchestrators delete them when the manager starts",
        ])
    }
}
