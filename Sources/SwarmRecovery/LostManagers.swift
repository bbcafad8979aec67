import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore
import SwiftProtobuf

/// A manager's node object left behind by a recovery: a node that wants to be a manager
/// but is no voter of the recovered cluster.
public struct LostManager: Sendable, Equatable {
    public let nodeID: String
    public let hostname: String
    /// Its tasks that are not finished yet; they become orphaned.
    public let openTasks: Int
}

/// The store changes of `docker node demote` + `docker node rm --force` for managers that can
/// never come back, as swarmkit's control API makes them in one transaction: the node's
/// certificate is blacklisted in the cluster object until it expires (so a copy of the old
/// machine can't rejoin with it), its unfinished tasks are marked orphaned, and the node
/// object is deleted.
///
/// The trade-off, for the documentation: the removed nodes can only come back by joining
/// anew with a join token, as new nodes with new IDs; their node labels are gone with them.
enum LostManagerRemoval {
    static func find(store: ObjectStore, voters: Set<String>, selfNodeID: String?) throws -> [LostManager] {
        let tasks = try store.decodedObjects(.task).compactMap { object -> SwarmTask? in
            if case .task(let task) = object { return task }
            return nil
        }
        return try store.decodedObjects(.node).compactMap { object in
            guard case .node(let node) = object, node.id != selfNodeID, !voters.contains(node.id) else { return nil }
            guard node.spec.desiredRole == .manager || node.role == .manager else { return nil }
            let open = tasks.filter { $0.nodeID == node.id && $0.status.state.rawValue < SwarmTaskState.complete.rawValue }
            return LostManager(nodeID: node.id, hostname: node.description_p.hostname, openTasks: open.count)
        }
    }

    static func apply(_ lost: [LostManager], to transaction: inout StoreTransaction, now: Date) throws {
        guard !lost.isEmpty else { return }
        guard case .cluster(var cluster)? = try transaction.store.objects(.cluster).first?.decoded() else {
            throw RecoveryError.noClusterObject
        }
        for manager in lost {
            guard case .node(let node)? = transaction.get(.node, id: manager.nodeID) else { continue }
            var entry = SwarmBlacklistedCertificate()
            if let expiry = CertificateExpiry.notAfter(pem: node.certificate.certificate) {
                entry.expiry = Google_Protobuf_Timestamp(date: expiry)
            }
            cluster.blacklistedCertificates[node.id] = entry
            for object in try transaction.store.decodedObjects(.task) {
                guard case .task(var task) = object, task.nodeID == node.id,
                    task.status.state.rawValue < SwarmTaskState.complete.rawValue
                else { continue }
                var status = SwarmTaskStatus()
                status.timestamp = Google_Protobuf_Timestamp(date: now)
                status.state = .orphaned
                status.message = "Task belonged to a node that has been deleted"
                task.status = status
                try transaction.update(.task(task))
            }
            try transaction.remove(.node, id: node.id)
        }
        // Entries whose certificates have expired can't be used anyway; swarmkit drops them
        // whenever it touches the list.
        cluster.blacklistedCertificates = cluster.blacklistedCertificates.filter { _, entry in
            !entry.hasExpiry || entry.expiry.date > now
        }
        try transaction.update(.cluster(cluster))
    }
}
