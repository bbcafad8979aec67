import Foundation
import SwarmFormats
import SwarmProto

/// Something odd but survivable found while replaying, tied to the entry it came from.
public struct ReplayWarning: Sendable, CustomStringConvertible {
    public let index: UInt64
    public let message: String
    public var description: String { "entry \(index): \(message)" }
}

/// The payload of an entry or snapshot did not decode after decryption.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public let location: String
    public let reason: String
    public var description: String { "\(location): \(reason)" }

    public init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }
}

/// What a manager knows after loading its snapshot and applying its log.
public struct ClusterState: Sendable {
    public var store: ObjectStore
    /// Effective membership: the snapshot's, moved forward by the log's conf changes.
    public var membership: RaftMembership
    /// Membership as the snapshot file records it (empty without a snapshot).
    public let snapshotMembership: RaftMembership
    /// Raft-level voters: the snapshot's conf state moved forward by conf changes.
    public var voters: [UInt64]
    public var warnings: [ReplayWarning]
}

/// Rebuilds the store from a snapshot and the entries after it.
///
/// Like swarmkit's own decoder (swarm-rafttool), every entry in the log is applied, committed
/// or not: after a restart a sole manager commits its whole log, and that is the state a
/// restore or a rescue brings back. `inspect` reports the commit index next to it.
/// What a snapshot file holds once decrypted: its store and membership.
public struct SnapshotContents: Sendable {
    public let store: ObjectStore
    public let membership: RaftMembership
    /// Raft-level voters from the snapshot's metadata.
    public let voters: [UInt64]
}

public enum Replayer {
    /// Decodes the log's snapshot payload; nil when the log has no snapshot.
    public static func snapshotContents(_ log: RaftLog) throws -> SnapshotContents? {
        guard let snapshot = log.snapshot, let payload = log.snapshotPayload else { return nil }
        let decoded: SwarmRawSnapshot
        let store: ObjectStore
        do {
            decoded = try SwarmRawSnapshot(serializedBytes: payload)
            store = try ObjectStore(snapshot: decoded.store)
        } catch {
            throw ReplayError(location: snapshot.path, reason: "snapshot payload does not decode: \(error)")
        }
        guard decoded.version == .v0 else {
            throw ReplayError(location: snapshot.path, reason: "unknown snapshot version \(decoded.version.rawValue)")
        }
        return SnapshotContents(
            store: store, membership: RaftMembership(snapshot: decoded.membership),
            voters: snapshot.snapshot.metadata.confState.voters)
    }

    /// With `upTo`, stops after that entry: the state as it was right after it.
    public static func replay(
        _ log: RaftLog, localMember: SwarmRaftMember? = nil, upTo: UInt64 = .max
    ) throws -> ClusterState {
        let contents = try snapshotContents(log)
        let store = contents?.store ?? ObjectStore()
        let snapshotMembership = contents?.membership ?? RaftMembership()
        let voters = contents?.voters ?? []
        var state = ClusterState(
            store: store, membership: snapshotMembership, snapshotMembership: snapshotMembership,
            voters: voters, warnings: [])
        try log.forEachEntry(in: 0...upTo) { entry in
            try apply(entry, to: &state, selfRaftID: localMember?.raftID)
        }
        if let localMember { state.membership.complete(with: localMember) }
        return state
    }

    static func apply(_ entry: RaftLogEntry, to state: inout ClusterState, selfRaftID: UInt64?) throws {
        switch entry.type {
        case .entryNormal:
            guard !entry.payload.isEmpty else { return }
            let request: SwarmRawInternalRaftRequest
            do {
                request = try SwarmRawInternalRaftRequest(serializedBytes: entry.payload)
            } catch {
                throw ReplayError(location: "\(entry.stored.position) (entry \(entry.index))", reason: "request does not decode: \(error)")
            }
            for action in request.action {
                try apply(action, entry: entry, to: &state)
            }
        case .entryConfChange:
            let change = try decodeConfChange(entry)
            var context: SwarmRaftMember?
            if !change.context.isEmpty {
                context = try? SwarmRaftMember(serializedBytes: change.context)
                if context == nil {
                    state.warnings.append(ReplayWarning(index: entry.index, message: "conf change context is not a RaftMember"))
                }
            }
            state.membership.apply(change, context: context, selfRaftID: selfRaftID)
            switch change.type {
            case .confChangeAddNode, .confChangeAddLearnerNode:
                if !state.voters.contains(change.nodeID) { state.voters.append(change.nodeID) }
            case .confChangeRemoveNode:
                state.voters.removeAll { $0 == change.nodeID }
            case .confChangeUpdateNode:
                break
            }
        case .entryConfChangeV2:
            state.warnings.append(ReplayWarning(index: entry.index, message: "ConfChangeV2 entry ignored (swarmkit never writes them)"))
        }
    }

    /// swarmkit applies an entry's actions as one transaction and fails it on a conflict; a
    /// rescue tool keeps going and says what it saw, so the operator can judge.
    static func apply(_ action: SwarmRawStoreAction, entry: RaftLogEntry, to state: inout ClusterState) throws {
        let index = entry.index
        guard let target = action.target else {
            state.warnings.append(ReplayWarning(index: index, message: "store action without a target"))
            return
        }
        let (kind, bytes) = target.kindAndBytes
        let object: StoredObject
        do {
            object = try StoredObject(kind: kind, bytes: bytes)
        } catch {
            throw ReplayError(location: "\(entry.stored.position) (entry \(index))", reason: "\(kind.rawValue) does not decode: \(error)")
        }
        let exists = state.store.contains(kind, id: object.id)
        switch action.action {
        case .storeActionCreate:
            if exists {
                state.warnings.append(ReplayWarning(index: index, message: "create of existing \(kind.rawValue) \(object.id)"))
            }
            state.store.insert(object)
        case .storeActionUpdate:
            if !exists {
                state.warnings.append(ReplayWarning(index: index, message: "update of missing \(kind.rawValue) \(object.id)"))
            }
            state.store.insert(object)
        case .storeActionRemove:
            if state.store.remove(kind, id: object.id) == nil {
                state.warnings.append(ReplayWarning(index: index, message: "remove of missing \(kind.rawValue) \(object.id)"))
            }
        default:
            state.warnings.append(ReplayWarning(index: index, message: "unknown store action \(action.action.rawValue)"))
        }
    }

    public static func decodeRequest(_ entry: RaftLogEntry) throws -> SwarmInternalRaftRequest {
        do {
            return try SwarmInternalRaftRequest(serializedBytes: entry.payload)
        } catch {
            throw ReplayError(location: "\(entry.stored.position) (entry \(entry.index))", reason: "request does not decode: \(error)")
        }
    }

    public static func decodeConfChange(_ entry: RaftLogEntry) throws -> RaftConfChange {
        do {
            return try RaftConfChange(serializedBytes: entry.payload)
        } catch {
            throw ReplayError(location: "\(entry.stored.position) (entry \(entry.index))", reason: "conf change does not decode: \(error)")
        }
    }
}
