import Foundation
import NIOCore
import SwarmProto
import SwarmStore
import Synchronization

/// Engine API JSON of objects listed in bulk, and the service list's status counts, kept
/// between requests: on a big swarm `docker service ls` asks for thousands of services that did
/// not change since the last time, and encoding them again was most of its cost. (Decoded
/// objects come from the manager's `DecodedObjectCache`, which the writer shares.)
///
/// An entry is valid while the stored object has the same version and size: every committed
/// change stamps a new version (each transaction runs at a higher commit index).
final class RenderCache: Sendable {
    struct Key: Hashable {
        let kind: ObjectKind
        let id: String
    }

    struct Entry {
        let version: UInt64
        let size: Int
        let object: StoreObject
        let json: Data
    }

    /// What a whole `GET /services` answer depends on.
    struct ListKey: Equatable {
        let commitIndex: UInt64
        let filters: EngineFilters
        let status: Bool
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let statusCounts = Mutex<(commitIndex: UInt64, counter: ServiceStatusCounter)?>(nil)
    private let lastList = Mutex<(key: ListKey, body: ByteBuffer)?>(nil)

    /// The object and its JSON as `render` makes it, from the cache when it is current.
    func json(
        _ stored: StoredObject, decoded: DecodedObjectCache, render: (StoreObject) throws -> Data
    ) throws -> (StoreObject, Data) {
        let key = Key(kind: stored.kind, id: stored.id)
        if let cached = entries.withLock({ $0[key] }), cached.version == stored.versionIndex, cached.size == stored.bytes.count {
            return (cached.object, cached.json)
        }
        let object = try decoded.object(stored)
        let entry = Entry(version: stored.versionIndex, size: stored.bytes.count, object: object, json: try render(object))
        entries.withLock { $0[key] = entry }
        return (object, entry.json)
    }

    /// The status counts of the store at `commitIndex`: counted once per commit, since every
    /// change to a task or node commits.
    func statusCounter(at commitIndex: UInt64, count: () throws -> ServiceStatusCounter) throws -> ServiceStatusCounter {
        if let cached = statusCounts.withLock({ $0 }), cached.commitIndex == commitIndex { return cached.counter }
        let counter = try count()
        statusCounts.withLock { $0 = (commitIndex, counter) }
        return counter
    }

    /// The last service list answered, while nothing it depends on changed: the boot's
    /// warm-up makes the answer the first `docker service ls` asks for, so that request only
    /// sends it.
    func serviceList(_ key: ListKey, build: () throws -> ByteBuffer) throws -> ByteBuffer {
        if let last = lastList.withLock({ $0 }), last.key == key { return last.body }
        let body = try build()
        lastList.withLock { $0 = (key, body) }
        return body
    }

    /// Drops entries for objects no longer in the store, so the cache never outgrows it.
    func prune(to store: ObjectStore, kind: ObjectKind) {
        entries.withLock { entries in
            guard entries.count > store.count(kind) * 2 + 64 else { return }
            entries = entries.filter { $0.key.kind != kind || store.contains(kind, id: $0.key.id) }
        }
    }
}
