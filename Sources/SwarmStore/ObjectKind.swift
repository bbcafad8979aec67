import Foundation
import SwarmProto
import SwiftProtobuf

/// The ten kinds of object in swarmkit's store, in the order `inspect` lists them.
public enum ObjectKind: String, CaseIterable, Sendable, Codable {
    case node, service, task, network, cluster, secret, config, resource, `extension`, volume

    /// The plural used in `inspect`'s `objects` counts.
    public var plural: String { rawValue + "s" }
}

/// A stored object of any kind. swarmkit's StoreAction already carries exactly this choice
/// as its `target` oneof, so the store reuses it instead of inventing a parallel enum.
public typealias StoreObject = SwarmStoreAction.OneOf_Target

extension SwarmStoreAction.OneOf_Target {
    /// Decodes an object of a known kind from its stored bytes.
    public init(kind: ObjectKind, bytes: Data) throws {
        switch kind {
        case .node: self = .node(try SwarmNode(serializedBytes: bytes))
        case .service: self = .service(try SwarmService(serializedBytes: bytes))
        case .task: self = .task(try SwarmTask(serializedBytes: bytes))
        case .network: self = .network(try SwarmNetwork(serializedBytes: bytes))
        case .cluster: self = .cluster(try SwarmCluster(serializedBytes: bytes))
        case .secret: self = .secret(try SwarmSecret(serializedBytes: bytes))
        case .resource: self = .resource(try SwarmResource(serializedBytes: bytes))
        case .extension: self = .extension(try SwarmExtension(serializedBytes: bytes))
        case .config: self = .config(try SwarmConfig(serializedBytes: bytes))
        case .volume: self = .volume(try SwarmVolume(serializedBytes: bytes))
        }
    }

    public var kind: ObjectKind {
        switch self {
        case .node: .node
        case .service: .service
        case .task: .task
        case .network: .network
        case .cluster: .cluster
        case .secret: .secret
        case .resource: .resource
        case .extension: .extension
        case .config: .config
        case .volume: .volume
        }
    }

    public var id: String {
        switch self {
        case .node(let o): o.id
        case .service(let o): o.id
        case .task(let o): o.id
        case .network(let o): o.id
        case .cluster(let o): o.id
        case .secret(let o): o.id
        case .resource(let o): o.id
        case .extension(let o): o.id
        case .config(let o): o.id
        case .volume(let o): o.id
        }
    }

    public var meta: SwarmMeta {
        switch self {
        case .node(let o): o.meta
        case .service(let o): o.meta
        case .task(let o): o.meta
        case .network(let o): o.meta
        case .cluster(let o): o.meta
        case .secret(let o): o.meta
        case .resource(let o): o.meta
        case .extension(let o): o.meta
        case .config(let o): o.meta
        case .volume(let o): o.meta
        }
    }

    /// The name an operator knows the object by (empty when the kind has none).
    public var name: String {
        switch self {
        case .node(let o): o.spec.annotations.name.isEmpty ? o.description_p.hostname : o.spec.annotations.name
        case .service(let o): o.spec.annotations.name
        case .task(let o): o.annotations.name
        case .network(let o): o.spec.annotations.name
        case .cluster(let o): o.spec.annotations.name
        case .secret(let o): o.spec.annotations.name
        case .resource(let o): o.annotations.name
        case .extension(let o): o.annotations.name
        case .config(let o): o.spec.annotations.name
        case .volume(let o): o.spec.annotations.name
        }
    }

    /// The protobuf message itself, for serialization.
    public var message: any SwiftProtobuf.Message {
        switch self {
        case .node(let o): o
        case .service(let o): o
        case .task(let o): o
        case .network(let o): o
        case .cluster(let o): o
        case .secret(let o): o
        case .resource(let o): o
        case .extension(let o): o
        case .config(let o): o
        case .volume(let o): o
        }
    }
}

extension SwarmRawStoreAction.OneOf_Target {
    /// The kind and stored bytes of the action's object.
    public var kindAndBytes: (ObjectKind, Data) {
        switch self {
        case .node(let b): (.node, b)
        case .service(let b): (.service, b)
        case .task(let b): (.task, b)
        case .network(let b): (.network, b)
        case .cluster(let b): (.cluster, b)
        case .secret(let b): (.secret, b)
        case .resource(let b): (.resource, b)
        case .extension(let b): (.extension, b)
        case .config(let b): (.config, b)
        case .volume(let b): (.volume, b)
        }
    }
}
