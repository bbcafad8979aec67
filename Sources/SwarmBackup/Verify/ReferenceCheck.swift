import SwarmProto
import SwarmStore

/// `verify --deep`: the references swarmkit's orchestrators follow, checked in a replayed
/// store. A task whose service or node is gone, or a service naming a secret, config or
/// network that does not exist, would make the restored manager reject or stall that work.
public enum ReferenceCheck {
    public static func findings(_ store: ObjectStore) throws -> [String] {
        var findings: [String] = []
        for task in try store.decodedObjects(.task) {
            guard case .task(let t) = task else { continue }
            if !t.serviceID.isEmpty, !store.contains(.service, id: t.serviceID) {
                findings.append("task \(t.id): its service \(t.serviceID) does not exist")
            }
            // A finished task (complete, failed, orphaned…) may outlive its node: swarmkit
            // orphans a removed node's tasks and its reaper deletes them later.
            let finished = t.status.state.rawValue >= SwarmTaskState.complete.rawValue
            if !t.nodeID.isEmpty, !finished, !store.contains(.node, id: t.nodeID) {
                findings.append("task \(t.id): its node \(t.nodeID) does not exist")
            }
        }
        for service in try store.decodedObjects(.service) {
            guard case .service(let s) = service else { continue }
            let name = s.spec.annotations.name.isEmpty ? s.id : "\(s.id) (\(s.spec.annotations.name))"
            if case .container(let container)? = s.spec.task.runtime {
                for secret in container.secrets where !store.contains(.secret, id: secret.secretID) {
                    findings.append("service \(name): secret \(secret.secretID) (\(secret.secretName)) does not exist")
                }
                for config in container.configs where !store.contains(.config, id: config.configID) {
                    findings.append("service \(name): config \(config.configID) (\(config.configName)) does not exist")
                }
            }
            for network in s.spec.task.networks + s.spec.networks where !store.contains(.network, id: network.target) {
                findings.append("service \(name): network \(network.target) does not exist")
            }
        }
        return findings
    }
}
