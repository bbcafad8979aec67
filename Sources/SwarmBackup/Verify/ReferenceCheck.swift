import SwarmProto
import SwarmStore

/// `verify --deep` and `check`: the references swarmkit's orchestrators follow, checked in a
/// replayed store, sorted by what a real manager booting the state does about them.
///
/// Findings are references it would trip over: a service naming a secret, config or network
/// that does not exist, whose tasks can then never be scheduled.
///
/// Tasks pointing at a service or node that is gone are information, not findings. Hot
/// backups routinely hold them, and real Docker boots such states and cleans up:
/// - `docker service rm` deletes the service at once and only then marks its tasks REMOVE
///   (a separate store update), so a backup can hold them at either desired state; swarmkit
///   deletes every task whose service is missing when its orchestrators start (taskinit's
///   CheckTasks, whatever the desired state), and the task reaper deletes REMOVE tasks once
///   they stopped.
/// - A task on a node that is gone and still meant to run (desired state up to RUNNING) is
///   restarted elsewhere (replicated) or shut down (global) by the orchestrator at start; one
///   past RUNNING is history the reaper deletes under the retention limit.
public enum ReferenceCheck {
    public static func check(_ store: ObjectStore) throws -> ReferenceReport {
        var report = ReferenceReport()
        var ofRemovedServices = 0
        var stoppedOnRemovedNodes = 0
        var liveOnRemovedNodes = 0
        for task in try store.decodedObjects(.task) {
            guard case .task(let t) = task else { continue }
            if !t.serviceID.isEmpty, !store.contains(.service, id: t.serviceID) {
                ofRemovedServices += 1
                continue
            }
            if !t.nodeID.isEmpty, !store.contains(.node, id: t.nodeID) {
                if t.desiredState.rawValue > SwarmTaskState.running.rawValue {
                    stoppedOnRemovedNodes += 1
                } else {
                    liveOnRemovedNodes += 1
                }
            }
        }
        if ofRemovedServices > 0 {
            report.information.append(
                "\(tasks(ofRemovedServices)) of removed services \(ofRemovedServices == 1 ? "awaits" : "await") swarmkit's cleanup: "
                    + "its orchestrators delete \(ofRemovedServices == 1 ? "it" : "them") when the manager starts")
        }
        if stoppedOnRemovedNodes > 0 {
            report.information.append(
                "\(tasks(stoppedOnRemovedNodes, "stopped")) on removed nodes \(stoppedOnRemovedNodes == 1 ? "is" : "are") history "
                    + "until swarmkit's task reaper deletes \(stoppedOnRemovedNodes == 1 ? "it" : "them")")
        }
        if liveOnRemovedNodes > 0 {
            report.information.append(
                "\(tasks(liveOnRemovedNodes)) still meant to run on removed nodes: swarmkit's orchestrators "
                    + "reschedule or shut \(liveOnRemovedNodes == 1 ? "it" : "them") down when the manager starts")
        }

        for service in try store.decodedObjects(.service) {
            guard case .service(let s) = service else { continue }
            let name = s.spec.annotations.name.isEmpty ? s.id : "\(s.id) (\(s.spec.annotations.name))"
            if case .container(let container)? = s.spec.task.runtime {
                for secret in container.secrets where !store.contains(.secret, id: secret.secretID) {
                    report.findings.append("service \(name): secret \(secret.secretID) (\(secret.secretName)) does not exist")
                }
                for config in container.configs where !store.contains(.config, id: config.configID) {
                    report.findings.append("service \(name): config \(config.configID) (\(config.configName)) does not exist")
                }
            }
            for network in s.spec.task.networks + s.spec.networks where !store.contains(.network, id: network.target) {
                report.findings.append("service \(name): network \(network.target) does not exist")
            }
        }
        return report
    }

    private static func tasks(_ count: Int, _ adjective: String = "") -> String {
        "\(count) \(adjective.isEmpty ? "" : adjective + " ")\(count == 1 ? "task" : "tasks")"
    }
}
