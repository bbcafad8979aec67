import Foundation

/// `manifest.json`, the last entry of every backup archive: what was backed up, from where,
/// and the size and SHA-256 of every file. `verify` and `restore` check the archive against
/// it; playbooks read it. Field names are a contract: add fields, never rename them.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let currentFormat = 1
    public static let entryName = "manifest.json"
    /// Archive entries of the state directory live under this folder.
    public static let stateFolder = "swarm"

    public var format: Int
    public var tool: String
    public var createdAt: String
    public var host: String
    public var sourceStateDir: String
    public var clusterID: String?
    public var nodeID: String?
    public var raft: Raft
    public var members: [Member]
    /// Objects per kind (plural names, as in `inspect`); nil when only the structure was checked.
    public var objects: [String: Int]?
    public var encryption: Encryption
    public var verification: VerificationLevel
    public var captureAttempts: Int
    public var compression: String
    public var archiveEncrypted: Bool
    public var directories: [Directory]
    public var files: [File]
    public var labels: [String: String]
    public var warnings: [String]

    public struct Raft: Codable, Sendable, Equatable {
        public var layout: String
        public var term: UInt64
        public var commit: UInt64
        public var lastIndex: UInt64
        public var lastTerm: UInt64
        public var snapshotIndex: UInt64
        public var snapshotTerm: UInt64
        public var walSegments: [String]
        public var snapshotFile: String?

        enum CodingKeys: String, CodingKey {
            case layout, term, commit
            case lastIndex = "last_index"
            case lastTerm = "last_term"
            case snapshotIndex = "snapshot_index"
            case snapshotTerm = "snapshot_term"
            case walSegments = "wal_segments"
            case snapshotFile = "snapshot_file"
        }
    }

    public struct Member: Codable, Sendable, Equatable {
        public var raftID: String
        public var nodeID: String
        public var addr: String

        enum CodingKeys: String, CodingKey {
            case raftID = "raft_id"
            case nodeID = "node_id"
            case addr
        }
    }

    public struct Encryption: Codable, Sendable, Equatable {
        /// How the raft data is encrypted at rest: secretbox, fernet or none.
        public var algorithm: String
        /// Autolock: the node key is encrypted with the unlock key.
        public var locked: Bool
    }

    public struct Directory: Codable, Sendable, Equatable {
        public var path: String
        public var mode: String
    }

    public struct File: Codable, Sendable, Equatable {
        /// Relative to the state directory.
        public var path: String
        public var size: Int64
        public var sha256: String
        /// Octal, e.g. "0600".
        public var mode: String
    }

    enum CodingKeys: String, CodingKey {
        case format, tool, host, raft, members, objects, encryption, verification, compression, directories, files
        case labels, warnings
        case createdAt = "created_at"
        case sourceStateDir = "source_state_dir"
        case clusterID = "cluster_id"
        case nodeID = "node_id"
        case captureAttempts = "capture_attempts"
        case archiveEncrypted = "archive_encrypted"
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    public static func decode(_ data: Data) throws -> BackupManifest {
        try JSONDecoder().decode(BackupManifest.self, from: data)
    }

    static func octal(_ mode: UInt16) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The mode from its octal text, nil when it is not one.
    static func mode(_ text: String) -> UInt16? {
        guard let value = UInt16(text, radix: 8), value <= 0o7777 else { return nil }
        return value
    }
}
