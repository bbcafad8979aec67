import Foundation
import SwarmFormats
import SwarmStore

/// One line of `swarmsafe history`: something the log (or its snapshot) says happened.
public struct HistoryEvent: Sendable {
    public enum What: Sendable {
        /// The state the log starts from; `objects` counts by plural kind, only non-zero ones.
        case snapshot(objects: [(String, Int)], members: Int)
        /// A store action: `action` is create, update or remove.
        case object(action: String, kind: ObjectKind, name: String, id: String)
        /// A raft conf change: `action` is add, remove or update.
        case member(action: String, raftID: UInt64, nodeID: String?, addr: String?)
        /// An empty normal entry: a new leader's first entry.
        case noOp
        /// An entry kind swarmkit never writes (ConfChangeV2).
        case unknown(type: String)
    }

    public let index: UInt64
    public let term: UInt64
    /// From the objects' own metadata; nil when the entry carries none (removals, conf changes).
    public let time: Date?
    public let what: What

    /// `121  t2  2026-11-22T15:47:59Z  update service web-2 (qmjixfatj43yuu8s45tj0fozu)`
    public var line: String {
        "\(index)  t\(term)  \(TimelineTime.text(time))  \(what.text)"
    }

    /// One JSON object per event, keys sorted, for JSON Lines.
    public func jsonLine() throws -> String {
        var fields: [String: DiffJSON] = ["index": .int(Int64(index)), "term": .int(Int64(term))]
        fields["time"] = time.map { .string($0.formatted(.iso8601)) } ?? .null
        switch what {
        case .snapshot(let objects, let members):
            fields["action"] = .string("snapshot")
            fields["objects"] = .object(Dictionary(uniqueKeysWithValues: objects.map { ($0.0, .int(Int64($0.1))) }))
            fields["members"] = .int(Int64(members))
        case .object(let action, let kind, let name, let id):
            fields["action"] = .string(action)
            fields["kind"] = .string(kind.rawValue)
            fields["name"] = .string(name)
            fields["id"] = .string(id)
        case .member(let action, let raftID, let nodeID, let addr):
            fields["action"] = .string(action)
            fields["kind"] = .string("member")
            fields["raft_id"] = .string(raftIDString(raftID))
            fields["node_id"] = nodeID.map(DiffJSON.string) ?? .null
            fields["addr"] = addr.map(DiffJSON.string) ?? .null
        case .noOp:
            fields["action"] = .string("noop")
        case .unknown(let type):
            fields["action"] = .string("unknown")
            fields["type"] = .string(type)
        }
        return try DiffJSON.object(fields).compactText()
    }
}

extension HistoryEvent.What {
    public var text: String {
        switch self {
        case .snapshot(let objects, let members):
            let counts = objects.map { "\($0.1) \($0.0)" }
            return "snapshot: " + (counts + ["\(members) members"]).joined(separator: ", ")
        case .object(let action, let kind, let name, let id):
            return name.isEmpty || name == id ? "\(action) \(kind.rawValue) \(id)" : "\(action) \(kind.rawValue) \(name) (\(id))"
        case .member(let action, let raftID, let nodeID, let addr):
            let details = [nodeID.map { "node \($0)" }, addr].compactMap { $0 }
            let suffix = details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")"
            return "\(action) member \(raftIDString(raftID))\(suffix)"
        case .noOp:
            return "leader no-op"
        case .unknown(let type):
            return "\(type) entry (not applied)"
        }
    }
}
