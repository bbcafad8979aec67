import Foundation
import SwarmProto
import Synchronization

/// Decoded objects kept from one read of a store to the next, so that a read of every task
/// (the orchestrator, the allocator, `docker service ls`) decodes only the objects whose bytes
/// changed since the last one: on a big swarm, decoding every object again was most of what a
/// write and a list cost.
///
/// An entry is reused only when the stored bytes are the same, so one cache serves any store:
/// the committed one and a transaction's, where an object may change twice at one version.
/// Each full read of a kind keeps just the objects it found, so the cache never outgrows the
/// store it last read by more than the objects looked up one at a time since.
public final class DecodedObjectCache: Sendable {
    private struct Entry: Sendable {
        let bytes: Data
        let object: StoreObject
    }

    private let tables = Mutex<[ObjectKind: [String: Entry]]>([:])

    public init() {}

    /// Every object of `kind` in `store`, decoded, in ID order. An object that does not decode
    /// throws, as a damaged store must.
    public func objects(_ kind: ObjectKind, in store: ObjectStore) throws -> [StoreObject] {
        let stored = store.objects(kind)
        let previous = tables.withLock { $0[kind] ?? [:] }
        var kept: [String: Entry] = [:]
        kept.reserveCapacity(stored.count)
        var result: [StoreObject] = []
        result.reserveCapacity(stored.count)
        for object in stored {
            if let entry = previous[object.id], entry.bytes == object.bytes {
                kept[object.id] = entry
                result.append(entry.object)
            } else {
                let decoded = try object.decoded()
                kept[object.id] = Entry(bytes: object.bytes, object: decoded)
                result.append(decoded)
            }
        }
        tables.withLock { $0[kind] = kept }
        return result
    }

    /// One stored object, decoded: the kept copy when its bytes are the ones stored, otherwise
    /// decoded now and kept, so a write that reads a few objects costs a few decodes.
    public func object(_ stored: StoredObject) throws -> StoreObject {
        if let entry = tables.withLock({ $0[stored.kind]?[stored.id] }), entry.bytes == stored.bytes {
            return entry.object
        }
        let decoded = try stored.decoded()
        tables.withLock { $0[stored.kind, default: [:]][stored.id] = Entry(bytes: stored.bytes, object: decoded) }
        return decoded
    }
}

extension DecodedObjectCache {
    /// The task stored under `id` in `store`, decoded; nil when there is none.
    public func task(_ id: String, in store: ObjectStore) throws -> SwarmTask? {
        guard let stored = store.get(.task, id: id), case .task(let task) = try object(stored) else { return nil }
        return task
    }

    /// The service stored under `id` in `store`, decoded; nil when there is none.
    public func service(_ id: String, in store: ObjectStore) throws -> SwarmService? {
        guard let stored = store.get(.service, id: id), case .service(let service) = try object(stored) else { return nil }
        return service
    }

    public func nodes(in store: ObjectStore) throws -> [SwarmNode] {
        try objects(.node, in: store).compactMap { if case .node(let o) = $0 { o } else { nil } }
    }

    public func services(in store: ObjectStore) throws -> [SwarmService] {
        try objects(.service, in: store).compactMap { if case .service(let o) = $0 { o } else { nil } }
    }

    public func tasks(in store: ObjectStore) throws -> [SwarmTask] {
        try objects(.task, in: store).compactMap { if case .task(let o) = $0 { o } else { nil } }
    }

    public func networks(in store: ObjectStore) throws -> [SwarmNetwork] {
        try objects(.network, in: store).compactMap { if case .network(let o) = $0 { o } else { nil } }
    }
}
