import Foundation
import SwarmFormats

/// `inspect --json`: a contract that tests and playbooks rely on. Field names are fixed;
/// add fields, never rename them.
public struct InspectReport: Encodable, Sendable {
    public var stateDir: String
    public var clusterID: String?
    public var nodeID: String?
    public var role: String
    public var raft: Raft?
    public var objects: [String: Int]?
    public var encryption: Encryption
    public var certificate: Certificate?
    /// `state.json`: the managers this node knows how to reach.
    public var knownManagers: [KnownManager]
    /// `docker-state.json` as the daemon saved it, when present (addresses, data path port).
    public var dockerState: [String: JSONValue]?
    public var warnings: [String]

    public struct Raft: Encodable, Sendable {
        public var term: UInt64
        public var vote: String
        public var commit: UInt64
        public var lastIndex: UInt64
        public var lastTerm: UInt64
        public var snapshotIndex: UInt64
        public var snapshotTerm: UInt64
        public var raftID: String?
        public var members: [Member]
        public var removed: [String]
        public var layout: String
        public var walSegments: [String]
        public var snapshotFile: String?

        enum CodingKeys: String, CodingKey {
            case term, vote, commit, members, removed, layout
            case lastIndex = "last_index"
            case lastTerm = "last_term"
            case snapshotIndex = "snapshot_index"
            case snapshotTerm = "snapshot_term"
            case raftID = "raft_id"
            case walSegments = "wal_segments"
            case snapshotFile = "snapshot_file"
        }
    }

    public struct Member: Encodable, Sendable, Equatable {
        public var nodeID: String
        public var raftID: String
        public var addr: String

        enum CodingKeys: String, CodingKey {
            case nodeID = "node_id"
            case raftID = "raft_id"
            case addr
        }
    }

    public struct Encryption: Encodable, Sendable {
        /// "secretbox", "fernet" or "none": how the raft data is encrypted.
        public var algorithm: String
        public var locked: Bool
        public var pendingDEK: Bool
        public var needsRotation: Bool
        public var kekVersion: UInt64?

        enum CodingKeys: String, CodingKey {
            case algorithm, locked
            case pendingDEK = "pending_dek"
            case needsRotation = "needs_rotation"
            case kekVersion = "kek_version"
        }
    }

    public struct Certificate: Encodable, Sendable {
        public var nodeID: String
        public var role: String
        public var clusterID: String
        public var notBefore: Date
        public var notAfter: Date
        public var rootCASHA256: String
        public var issuer: String?
        public var chainsToRoot: Bool

        enum CodingKeys: String, CodingKey {
            case role, issuer
            case chainsToRoot = "chains_to_root"
            case nodeID = "node_id"
            case clusterID = "cluster_id"
            case notBefore = "not_before"
            case notAfter = "not_after"
            case rootCASHA256 = "root_ca_sha256"
        }
    }

    enum CodingKeys: String, CodingKey {
        case role, raft, objects, encryption, certificate, warnings
        case stateDir = "state_dir"
        case knownManagers = "known_managers"
        case dockerState = "docker_state"
        case clusterID = "cluster_id"
        case nodeID = "node_id"
    }

}
