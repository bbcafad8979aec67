import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore

/// One log entry as a JSON line: index, term, type and the decoded request or conf change.
public struct EntryJSON: Sendable {
    public let objects: ObjectJSON

    public init(redaction: Redaction) {
        objects = ObjectJSON(redaction: redaction)
    }

    public func line(_ entry: RaftLogEntry) throws -> String {
        var head = "{\"index\":\(entry.index),\"term\":\(entry.term),\"type\":\"\(typeName(entry.type))\""
        switch entry.type {
        case .entryNormal:
            if entry.payload.isEmpty {
                head += ",\"request\":null"
            } else {
                head += ",\"request\":" + (try objects.line(Replayer.decodeRequest(entry)))
            }
        case .entryConfChange:
            let change = try Replayer.decodeConfChange(entry)
            head += ",\"conf_change\":{\"type\":\"\(confChangeName(change.type))\",\"node_id\":\"\(raftIDString(change.nodeID))\""
            if !change.context.isEmpty, let member = try? SwarmRaftMember(serializedBytes: change.context) {
                head += ",\"member\":" + (try objects.line(member))
            }
            head += "}"
        case .entryConfChangeV2:
            break
        }
        return head + "}"
    }

    func typeName(_ type: RaftEntryType) -> String {
        switch type {
        case .entryNormal: "EntryNormal"
        case .entryConfChange: "EntryConfChange"
        case .entryConfChangeV2: "EntryConfChangeV2"
        }
    }

    func confChangeName(_ type: RaftConfChangeType) -> String {
        switch type {
        case .confChangeAddNode: "ConfChangeAddNode"
        case .confChangeRemoveNode: "ConfChangeRemoveNode"
        case .confChangeUpdateNode: "ConfChangeUpdateNode"
        case .confChangeAddLearnerNode: "ConfChangeAddLearnerNode"
        }
    }
}

/// `dump snapshot`: what the snapshot file says, before the log moves it forward.
public struct SnapshotReport: Encodable, Sendable {
    public var file: String
    public var index: UInt64
    public var term: UInt64
    public var voters: [String]
    public var version: Int
    public var members: [InspectReport.Member]
    public var removed: [String]
    public var objects: [String: Int]
    public var skippedNewerFiles: [String]

    enum CodingKeys: String, CodingKey {
        case file, index, term, voters, version, members, removed, objects
        case skippedNewerFiles = "skipped_newer_files"
    }

    /// nil when the log has no snapshot.
    public init?(log: RaftLog) throws {
        guard let snapshot = log.snapshot, let contents = try Replayer.snapshotContents(log) else { return nil }
        file = snapshot.path
        index = snapshot.index
        term = snapshot.term
        voters = contents.voters.map(raftIDString)
        version = 0
        members = contents.membership.members.map(InspectReport.Member.init)
        removed = contents.membership.removed.map(raftIDString)
        objects = Dictionary(uniqueKeysWithValues: ObjectKind.allCases.map { ($0.plural, contents.store.count($0)) })
        skippedNewerFiles = log.skippedSnapshots.map(\.description)
    }

}

extension InspectReport.Member {
    public init(_ member: SwarmRaftMember) {
        self.init(nodeID: member.nodeID, raftID: raftIDString(member.raftID), addr: member.addr)
    }
}
