import SwarmProto

/// swarmkit's in-memory store, reduced to what replay needs: objects by kind and ID.
public struct ObjectStore: Sendable {
    private var tables: [ObjectKind: [String: StoreObject]] = [:]

    public init() {}

    /// Loads a snapshot's store section, replacing nothing that is not in it.
    public init(snapshot store: SwarmStoreSnapshot) {
        for o in store.nodes { insert(.node(o)) }
        for o in store.services { insert(.service(o)) }
        for o in store.networks { insert(.network(o)) }
        for o in store.tasks { insert(.task(o)) }
        for o in store.clusters { insert(.cluster(o)) }
        for o in store.secrets { insert(.secret(o)) }
        for o in store.resources { insert(.resource(o)) }
        for o in store.extensions { insert(.extension(o)) }
        for o in store.configs { insert(.config(o)) }
        for o in store.volumes { insert(.volume(o)) }
    }

    public func count(_ kind: ObjectKind) -> Int { tables[kind]?.count ?? 0 }

    public func get(_ kind: ObjectKind, id: String) -> StoreObject? { tables[kind]?[id] }

    public func contains(_ kind: ObjectKind, id: String) -> Bool { tables[kind]?[id] != nil }

    /// Objects of a kind ordered by ID, the order swarmkit's store iterates them in.
    public func objects(_ kind: ObjectKind) -> [StoreObject] {
        (tables[kind] ?? [:]).values.sorted { $0.id < $1.id }
    }

    public mutating func insert(_ object: StoreObject) {
        tables[object.kind, default: [:]][object.id] = object
    }

    @discardableResult
    public mutating func remove(_ kind: ObjectKind, id: String) -> StoreObject? {
        tables[kind]?.removeValue(forKey: id)
    }

    /// The store in a snapshot's form, kinds in the snapshot's field order.
    public var snapshot: SwarmStoreSnapshot {
        var s = SwarmStoreSnapshot()
        for case .node(let o) in objects(.node) { s.nodes.append(o) }
        for case .service(let o) in objects(.service) { s.services.append(o) }
        for case .network(let o) in objects(.network) { s.networks.append(o) }
        for case .task(let o) in objects(.task) { s.tasks.append(o) }
        for case .cluster(let o) in objects(.cluster) { s.clusters.append(o) }
        for case .secret(let o) in objects(.secret) { s.secrets.append(o) }
        for case .resource(let o) in objects(.resource) { s.resources.append(o) }
        for case .extension(let o) in objects(.extension) { s.extensions.append(o) }
        for case .config(let o) in objects(.config) { s.configs.append(o) }
        for case .volume(let o) in objects(.volume) { s.volumes.append(o) }
        return s
    }
}
