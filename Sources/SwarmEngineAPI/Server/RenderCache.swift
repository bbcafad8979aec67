import Foundation
import SwarmProto
import SwarmStore
import Synchronization

/// Decoded and rendered objects, kept between requests: on a big swarm `docker service ls`
/// asks for thousands of services that did not change since the last time, and decoding and
/// JSON-encoding them again was almost all of its cost.
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
        /// The Engine API JSON, for kinds that are listed in bulk.
        var json: Data?
    }

    private let entries = Mutex<[Key: Entry]>([:])

    /// The decoded object, from the cache when it is current.
    func decoded(_ stored: StoredObject) throws -> StoreObject {
        try entry(stored).object
    }

    /// The object's JSON as `render` makes it, from the cache when it is current.
    func json(_ stored: StoredObject, render: (StoreObject) throws -> Data) throws -> (StoreObject, Data) {
        var entry = try entry(stored)
        if let json = entry.json { return (entry.object, json) }
        let json = try render(entry.object)
        entry.json = json
        let filled = entry
        entries.withLock { $0[Key(kind: stored.kind, id: stored.id)] = filled }
        return (entry.object, json)
    }

    private func entry(_ stored: StoredObject) throws -> Entry {
        let key = Key(kind: stored.kind, id: stored.id)
        if let cached = entries.withLock({ $0[key] }), cached.version == stored.versionIndex, cached.size == stored.bytes.count {
            return cached
        }
        let entry = Entry(version: stored.versionIndex, size: stored.bytes.count, object: try stored.decoded(), json: nil)
        entries.withLock { $0[key] = entry }
        return entry
    }

    /// Drops entries for objects no longer in the store, so the cache never outgrows it.
    func prune(to store: ObjectStore, kind: ObjectKind) {
        entries.withLock { entries in
            guard entries.count > store.count(kind) * 2 + 64 else { return }
            entries = entries.filter { $0.key.kind != kind || store.contains(kind, id: $0.key.id) }
        }
    }
}
