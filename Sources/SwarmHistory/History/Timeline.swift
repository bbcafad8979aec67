import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore

/// Reads a manager's log as an operator's timeline: the snapshot it starts from, then one
/// event per store action or conf change, in log order. Entries are decrypted one at a time,
/// so a long log is never held in memory.
public struct Timeline: Sendable {
    public let log: RaftLog

    public init(log: RaftLog) {
        self.log = log
    }

    /// Calls `body` with every event the filter admits, the snapshot first.
    public func forEachEvent(_ filter: HistoryFilter, _ body: (HistoryEvent) throws -> Void) throws {
        if log.snapshot != nil, filter.indexes.contains(log.snapshotIndex), let snapshot = try snapshotEvent() {
            try body(snapshot)
        }
        let first = max(filter.indexes.lowerBound, log.snapshotIndex + 1)
        guard first <= filter.indexes.upperBound else { return }
        try log.forEachEntry(in: first...filter.indexes.upperBound) { entry in
            for event in try events(entry, filter) { try body(event) }
        }
    }

    /// The snapshot as one event, timed by the newest change among its objects.
    public func snapshotEvent() throws -> HistoryEvent? {
        guard let snapshot = log.snapshot, let contents = try Replayer.snapshotContents(log) else { return nil }
        var newest: Date?
        var counts: [(String, Int)] = []
        for kind in ObjectKind.allCases {
            let objects = contents.store.objects(kind)
            if !objects.isEmpty { counts.append((kind.plural, objects.count)) }
            for object in objects {
                guard let time = try? SwarmObjectHeader(serializedBytes: object.bytes).meta.changedAt else { continue }
                if newest.map({ time > $0 }) ?? true { newest = time }
            }
        }
        return HistoryEvent(
            index: snapshot.index, term: snapshot.term, time: newest,
            what: .snapshot(objects: counts, members: contents.membership.members.count))
    }

    /// An entry's events: one per action, all stamped with the newest time the entry's
    /// objects carry (a removal carries the object as it was, so its own time is stale).
    func events(_ entry: RaftLogEntry, _ filter: HistoryFilter) throws -> [HistoryEvent] {
        switch entry.type {
        case .entryNormal:
            guard !entry.payload.isEmpty else {
                return filter.admitsNoOps ? [HistoryEvent(index: entry.index, term: entry.term, time: nil, what: .noOp)] : []
            }
            return try storeEvents(entry, filter)
        case .entryConfChange:
            let change = try Replayer.decodeConfChange(entry)
            let member = change.context.isEmpty ? nil : try? SwarmRaftMember(serializedBytes: change.context)
            let nodeID = member.flatMap { $0.nodeID.isEmpty ? nil : $0.nodeID }
            guard filter.admitsMember(raftID: change.nodeID, nodeID: nodeID) else { return [] }
            let action: String =
                switch change.type {
                case .confChangeAddNode: "add"
                case .confChangeAddLearnerNode: "add learner"
                case .confChangeRemoveNode: "remove"
                case .confChangeUpdateNode: "update"
                }
            let addr = member.flatMap { $0.addr.isEmpty ? nil : $0.addr }
            return [HistoryEvent(
                index: entry.index, term: entry.term, time: nil,
                what: .member(action: action, raftID: change.nodeID, nodeID: nodeID, addr: addr))]
        case .entryConfChangeV2:
            guard filter.kinds == nil && filter.name == nil else { return [] }
            return [HistoryEvent(index: entry.index, term: entry.term, time: nil, what: .unknown(type: "ConfChangeV2"))]
        }
    }

    private func storeEvents(_ entry: RaftLogEntry, _ filter: HistoryFilter) throws -> [HistoryEvent] {
        let request: SwarmRawInternalRaftRequest
        do {
            request = try SwarmRawInternalRaftRequest(serializedBytes: entry.payload)
        } catch {
            throw ReplayError(location: "\(entry.stored.position) (entry \(entry.index))", reason: "request does not decode: \(error)")
        }
        var decoded: [(String, StoreObject)] = []
        var newest: Date?
        for action in request.action {
            guard let target = action.target else { continue }
            let (kind, bytes) = target.kindAndBytes
            let object: StoreObject
            do {
                object = try StoreObject(kind: kind, bytes: bytes)
            } catch {
                throw ReplayError(location: "\(entry.stored.position) (entry \(entry.index))", reason: "\(kind.rawValue) does not decode: \(error)")
            }
            let verb = Self.verb(action.action)
            if verb != "remove", let time = object.changedAt, newest.map({ time > $0 }) ?? true { newest = time }
            decoded.append((verb, object))
        }
        return decoded.filter { filter.admits($0.1) }.map { verb, object in
            HistoryEvent(
                index: entry.index, term: entry.term, time: newest,
                what: .object(action: verb, kind: object.kind, name: object.displayName, id: object.id))
        }
    }

    static func verb(_ action: SwarmStoreActionKind) -> String {
        switch action {
        case .storeActionCreate: "create"
        case .storeActionUpdate: "update"
        case .storeActionRemove: "remove"
        default: "action \(action.rawValue)"
        }
    }
}
