import Foundation
import SwarmProto
import SwarmStore
import SwiftProtobuf

extension SwarmStoreAction.OneOf_Target {
    /// The name an operator would look for. Tasks have none of their own, so they get the
    /// `<service>.<slot>` that `docker service ps` shows (global tasks: `<service>.<node>`).
    public var displayName: String {
        guard case .task(let task) = self, task.annotations.name.isEmpty else { return name }
        let service = task.serviceAnnotations.name.isEmpty ? task.serviceID : task.serviceAnnotations.name
        return "\(service).\(task.slot != 0 ? String(task.slot) : task.nodeID)"
    }

    /// The service a task belongs to, so a `--name` filter on a service also finds its tasks.
    var owningServiceName: String? {
        guard case .task(let task) = self else { return nil }
        return task.serviceAnnotations.name
    }

    /// When the object last changed as its own metadata says: `updated_at`, else `created_at`.
    public var changedAt: Date? { meta.changedAt }
}

extension SwarmMeta {
    public var changedAt: Date? {
        if hasUpdatedAt { return updatedAt.date }
        if hasCreatedAt { return createdAt.date }
        return nil
    }
}

/// How times print in timelines and reports: UTC, to the second.
enum TimelineTime {
    static func text(_ date: Date?) -> String {
        guard let date else { return "-" }
        return date.formatted(.iso8601)
    }
}
