import SwarmManager
import SwarmProto
import SwarmStore

/// Typed reads of the manager's store. An object that does not decode is a damaged store,
/// reported as a server error rather than silently left out of a list. (The same reads are
/// `ObjectStore`'s; calling those from here makes the Swift 6.3.1 optimizer crash while
/// compiling the service routes in release builds — signal 11 splitting a route closure's
/// coroutine — so this module keeps its own.)
extension ManagerView {
    func all<T>(_ kind: ObjectKind, _ extract: (StoreObject) -> T?) throws -> [T] {
        try decoded.objects(kind, in: store).compactMap(extract)
    }

    func nodes() throws -> [SwarmNode] { try all(.node) { if case .node(let o) = $0 { o } else { nil } } }
    func services() throws -> [SwarmService] { try all(.service) { if case .service(let o) = $0 { o } else { nil } } }
    func tasks() throws -> [SwarmTask] { try all(.task) { if case .task(let o) = $0 { o } else { nil } } }
    func secrets() throws -> [SwarmSecret] { try all(.secret) { if case .secret(let o) = $0 { o } else { nil } } }
    func configs() throws -> [SwarmConfig] { try all(.config) { if case .config(let o) = $0 { o } else { nil } } }
    func networks() throws -> [SwarmNetwork] { try all(.network) { if case .network(let o) = $0 { o } else { nil } } }
}

/// How Docker finds the object a path names: the full ID, then the exact name, then an ID
/// prefix; more than one match is an error rather than a guess.
enum ObjectLookup {
    static func resolve<T>(
        _ reference: String, kind: String, in objects: [T], id: (T) -> String, name: (T) -> String
    ) throws(EngineError) -> T {
        if let exact = objects.first(where: { id($0) == reference }) { return exact }
        let lowered = reference.lowercased()
        var matches = objects.filter { name($0).lowercased() == lowered }
        if matches.isEmpty { matches = objects.filter { id($0).hasPrefix(reference) } }
        guard let first = matches.first else { throw EngineError.notFound(kind, reference) }
        guard matches.count == 1 else { throw EngineError.ambiguous(kind, reference, matches: matches.count) }
        return first
    }
}
