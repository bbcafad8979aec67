import Foundation
import SwarmProto
import SwiftProtobuf

/// One object in the store, kept as the exact bytes swarmkit wrote. A big swarm's objects
/// take a fraction of the memory this way, and an object nobody changed is written back
/// byte for byte. `decoded()` gives the typed message when someone looks at it.
public struct StoredObject: Sendable {
    public let kind: ObjectKind
    public let id: String
    /// `meta.version.index`: the raft index of the object's last change.
    public let versionIndex: UInt64
    public let bytes: Data

    /// Reads the header (ID and meta) of an object's bytes.
    public init(kind: ObjectKind, bytes: Data) throws {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        let header = try SwarmObjectHeader(serializedBytes: bytes, options: options)
        self.kind = kind
        self.id = header.id
        self.versionIndex = header.meta.version.index
        self.bytes = bytes
    }

    public init(_ object: StoreObject) throws {
        kind = object.kind
        id = object.id
        versionIndex = object.meta.version.index
        bytes = try object.message.serializedBytes()
    }

    public func decoded() throws -> StoreObject {
        try StoreObject(kind: kind, bytes: bytes)
    }
}

/// swarmkit's in-memory store, reduced to what replay needs: objects by kind and ID.
public struct ObjectStore: Sendable {
    private var tables: [ObjectKind: [String: StoredObject]] = [:]

    public init() {}

    /// Loads a snapshot's store section.
    public init(snapshot store: SwarmRawStoreSnapshot) throws {
        for (kind, list) in Self.lists(store) {
            for bytes in list { insert(try StoredObject(kind: kind, bytes: bytes)) }
        }
    }

    public func count(_ kind: ObjectKind) -> Int { tables[kind]?.count ?? 0 }

    public func get(_ kind: ObjectKind, id: String) -> StoredObject? { tables[kind]?[id] }

    public func contains(_ kind: ObjectKind, id: String) -> Bool { tables[kind]?[id] != nil }

    /// Objects of a kind ordered by ID, the order swarmkit's store iterates them in.
    public func objects(_ kind: ObjectKind) -> [StoredObject] {
        (tables[kind] ?? [:]).values.sorted { $0.id < $1.id }
    }

    /// Objects of a kind in no particular order, for a caller that only groups or counts
    /// them: sorting 7800 tasks by ID was work thrown away.
    public func unorderedObjects(_ kind: ObjectKind) -> [StoredObject] {
        Array((tables[kind] ?? [:]).values)
    }

    /// Decoded objects of a kind, ordered by ID.
    public func decodedObjects(_ kind: ObjectKind) throws -> [StoreObject] {
        try objects(kind).map { try $0.decoded() }
    }

    public mutating func insert(_ object: StoredObject) {
        tables[object.kind, default: [:]][object.id] = object
    }

    @discardableResult
    public mutating func remove(_ kind: ObjectKind, id: String) -> StoredObject? {
        tables[kind]?.removeValue(forKey: id)
    }

    /// The store in a snapshot's form, every object as its stored bytes.
    public var snapshot: SwarmRawStoreSnapshot {
        var s = SwarmRawStoreSnapshot()
        s.nodes = objects(.node).map(\.bytes)
        s.services = objects(.service).map(\.bytes)
        s.networks = objects(.network).map(\.bytes)
        s.tasks = objects(.task).map(\.bytes)
        s.clusters = objects(.cluster).map(\.bytes)
        s.secrets = objects(.secret).map(\.bytes)
        s.resources = objects(.resource).map(\.bytes)
        s.extensions = objects(.extension).map(\.bytes)
        s.configs = objects(.config).map(\.bytes)
        s.volumes = objects(.volume).map(\.bytes)
        return s
    }

    static func lists(_ s: SwarmRawStoreSnapshot) -> [(ObjectKind, [Data])] {
        [
            (.node, s.nodes), (.service, s.services), (.network, s.networks), (.task, s.tasks),
            (.cluster, s.clusters), (.secret, s.secrets), (.resource, s.resources),
            (.extension, s.extensions), (.config, s.configs), (.volume, s.volumes),
        ]
    }
}
