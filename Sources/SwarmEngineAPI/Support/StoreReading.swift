import SwarmManager
import SwarmProto
import SwarmStore

/// Typed reads of the manager's store (`ObjectStore`'s), as the routes use them.
extension ManagerView {
    func nodes() throws -> [SwarmNode] { try store.nodes() }
    func services() throws -> [SwarmService] { try store.services() }
    func tasks() throws -> [SwarmTask] { try store.tasks() }
    func secrets() throws -> [SwarmSecret] { try store.secrets() }
    func configs() throws -> [SwarmConfig] { try store.configs() }
    func networks() throws -> [SwarmNetwork] { try store.networks() }
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
