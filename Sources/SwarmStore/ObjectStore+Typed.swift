import SwarmProto

/// Typed reads of a store, one kind at a time, ordered by ID. An object that does not decode
/// is a damaged store and throws, rather than being left out of a list.
extension ObjectStore {
    public func nodes() throws -> [SwarmNode] { try all(.node) { if case .node(let o) = $0 { o } else { nil } } }
    public func services() throws -> [SwarmService] { try all(.service) { if case .service(let o) = $0 { o } else { nil } } }
    public func tasks() throws -> [SwarmTask] { try all(.task) { if case .task(let o) = $0 { o } else { nil } } }
    public func secrets() throws -> [SwarmSecret] { try all(.secret) { if case .secret(let o) = $0 { o } else { nil } } }
    public func configs() throws -> [SwarmConfig] { try all(.config) { if case .config(let o) = $0 { o } else { nil } } }
    public func networks() throws -> [SwarmNetwork] { try all(.network) { if case .network(let o) = $0 { o } else { nil } } }
    public func clusters() throws -> [SwarmCluster] { try all(.cluster) { if case .cluster(let o) = $0 { o } else { nil } } }

    private func all<T>(_ kind: ObjectKind, _ extract: (StoreObject) -> T?) throws -> [T] {
        try objects(kind).compactMap { try extract($0.decoded()) }
    }
}
