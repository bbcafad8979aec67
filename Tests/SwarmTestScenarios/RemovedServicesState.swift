import Foundation
import SwarmFormats
import SwarmManager
import SwarmNode
import SwarmProto
import SwarmStore
import SwarmTestSupport

/// A real fixture's state directory as a hot backup catches it just after `docker service rm`,
/// built from real log entries: swarmkit deletes the service in one store update and marks
/// its tasks REMOVE in a later one, so a backup can hold either moment.
///
/// - the first service (by name) is removed through the embedded manager, whose orchestrator
///   marks its tasks desired state REMOVE in the same entry (the later moment);
/// - the second is removed by a bare log entry that deletes the service and nothing else,
///   leaving its tasks desired RUNNING (the moment in between).
///
/// Both services' tasks stay in the store, pointing at a service that no longer exists.
public struct RemovedServicesState {
    /// A private parent folder; remove it when done.
    public let parent: URL
    /// The state directory, `parent/swarm`.
    public let folder: URL
    /// Tasks left with desired state REMOVE.
    public let markedForRemoval: [String]
    /// Tasks left with desired state RUNNING.
    public let leftRunning: [String]
    /// The removed services' names, in the order above.
    public let removedServices: [String]

    public var orphanedTasks: Int { markedForRemoval.count + leftRunning.count }

    public struct BuildError: Error, CustomStringConvertible {
        public let description: String
    }

    /// From a fixture that is its cluster's only voter and not autolocked.
    public static func make(_ scenario: String = "single-manager", _ node: String = "manager-1") throws -> RemovedServicesState {
        let parent = FileManager.default.temporaryDirectory
            .appendingPathComponent("swarmsafe-removed-services-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: false)
        let folder = parent.appendingPathComponent("swarm")
        guard Fixtures.run("/bin/cp", ["-a", Fixtures.folder(scenario, node).path, folder.path]) == 0 else {
            throw BuildError(description: "cannot copy \(scenario)/\(node)")
        }
        let directory = StateDirectory(path: folder.path)

        let services = try Self.services(in: NodeLoader(unlockKey: nil).loadManager(directory, replay: true))
        guard services.count >= 2 else { throw BuildError(description: "\(scenario)/\(node) has fewer than two services") }
        let (marked, running) = (services[0], services[1])

        let manager = try EmbeddedManager(directory: directory, unlockKey: nil)
        try manager.update { try $0.remove(.service, id: marked.id) }
        let markedTasks = try Self.tasks(of: marked.id, in: manager.view().store).filter { $0.desiredState == .remove }
        try manager.close()

        let node = try NodeLoader(unlockKey: nil).loadManager(directory, replay: true)
        guard let raft = node.raft, let local = node.localMember, let store = node.cluster?.store else {
            throw BuildError(description: "\(folder.path): not a manager")
        }
        let runningTasks = try Self.tasks(of: running.id, in: store).filter { $0.desiredState == .running }
        var log = try RaftLeaderLog.open(
            directory: directory, log: raft, cipher: raft.layout.isEncrypted ? try node.raftCipher() : nil,
            selfRaftID: local.raftID)
        var transaction = StoreTransaction(store: store, version: log.commitIndex, now: Date())
        try transaction.remove(.service, id: running.id)
        _ = try log.append(transaction.request)
        try log.sync()

        return RemovedServicesState(
            parent: parent, folder: folder, markedForRemoval: markedTasks.map(\.id).sorted(),
            leftRunning: runningTasks.map(\.id).sorted(),
            removedServices: [marked.spec.annotations.name, running.spec.annotations.name])
    }

    static func services(in node: LoadedNode) throws -> [SwarmService] {
        try (node.cluster?.store.decodedObjects(.service) ?? []).compactMap { object -> SwarmService? in
            if case .service(let service) = object { service } else { nil }
        }.sorted { $0.spec.annotations.name < $1.spec.annotations.name }
    }

    static func tasks(of serviceID: String, in store: ObjectStore) throws -> [SwarmTask] {
        try store.decodedObjects(.task).compactMap { object -> SwarmTask? in
            if case .task(let task) = object, task.serviceID == serviceID { task } else { nil }
        }
    }
}
