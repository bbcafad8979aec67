import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore

/// Everything swarmsafe knows about one node's state directory after reading it.
public struct LoadedNode: Sendable {
    public let directory: StateDirectory
    public let knownManagers: [KnownManager]
    public let dockerState: DockerStateJSON?
    public let certificates: SwarmCertificates?
    public let keys: NodeKeys?
    /// Managers only.
    public let raft: RaftLog?
    /// Managers only, when replay was asked for.
    public let cluster: ClusterState?
    /// This node's raft member record, from the WAL metadata.
    public let localMember: SwarmRaftMember?
    public let raftAlgorithm: SwarmMaybeEncryptedRecord.Algorithm?
    public let warnings: [String]
}

/// Reads a state directory in the order swarmkit does: certificates and key first (the DEK
/// is needed for everything else), then snapshot and log, then replay.
public struct NodeLoader: Sendable {
    public let unlockKey: UnlockKey?

    public init(unlockKey: UnlockKey?) {
        self.unlockKey = unlockKey
    }

    /// Loads any node; a worker's folder yields no raft data.
    public func load(_ directory: StateDirectory, replay: Bool = true) throws -> LoadedNode {
        try directory.validate()
        return try loadValidated(directory, replay: replay)
    }

    /// Loads a manager; a worker's folder is refused with a clear message.
    public func loadManager(_ directory: StateDirectory, replay: Bool = true) throws -> LoadedNode {
        try directory.validate()
        guard directory.isManager else { throw StateDirectoryError.worker(path: directory.path) }
        return try loadValidated(directory, replay: replay)
    }

    /// Checks an autolocked manager's folder as far as it can be without the unlock key:
    /// framing, CRC chain, snapshot CRC and index continuity. Payloads stay encrypted and the
    /// log is not replayed.
    public static func structureOnly(_ directory: StateDirectory) throws -> LoadedNode {
        try directory.validate()
        guard directory.isManager else { throw StateDirectoryError.worker(path: directory.path) }
        let plain = try NodeLoader(unlockKey: nil).loadValidated(directory, replay: false, readRaft: false)
        let log = try RaftLogLoader.load(directory, decrypter: PlaintextPayloads())
        let local = try Self.localMember(log, in: directory)
        var warnings = plain.warnings + log.skippedSnapshots.map { "skipped damaged snapshot \($0)" }
        if case .tornTail(let position, let reason)? = log.wal.tornTail {
            warnings.append("\(position): torn last record (\(reason)); everything before it was read")
        }
        return LoadedNode(
            directory: directory, knownManagers: plain.knownManagers, dockerState: plain.dockerState,
            certificates: plain.certificates, keys: nil, raft: log, cluster: nil, localMember: local,
            raftAlgorithm: nil, warnings: warnings)
    }

    private func loadValidated(_ directory: StateDirectory, replay: Bool, readRaft: Bool = true) throws -> LoadedNode {
        var warnings: [String] = []
        var managers: [KnownManager] = []
        if FileManager.default.fileExists(atPath: directory.stateFile.path) {
            managers = try StateJSON.read(directory.stateFile)
        } else {
            warnings.append("\(directory.stateFile.path): missing")
        }
        var dockerState: DockerStateJSON?
        if FileManager.default.fileExists(atPath: directory.dockerStateFile.path) {
            dockerState = try DockerStateJSON.read(directory.dockerStateFile)
        }
        var certificates: SwarmCertificates?
        do {
            certificates = try SwarmCertificates.load(
                nodeCertificate: directory.nodeCertificate, rootCA: directory.rootCACertificate)
        } catch {
            warnings.append("\(error)")
        }
        guard directory.isManager, readRaft else {
            return LoadedNode(
                directory: directory, knownManagers: managers, dockerState: dockerState, certificates: certificates, keys: nil, raft: nil,
                cluster: nil, localMember: nil, raftAlgorithm: nil, warnings: warnings)
        }
        let layout = directory.raftLayout
        var keys: NodeKeys?
        let decrypter: any RaftPayloadDecrypter
        if layout?.isEncrypted ?? true {
            let loaded = try NodeKeys.load(keyFile: directory.nodeKey, unlockKey: unlockKey)
            keys = loaded
            decrypter = loaded.raftDecrypter
        } else {
            decrypter = PlaintextPayloads()
            // A log in the clear (swarmkit's first layout, or `decrypt`'s output) needs no
            // key to be read: the key is reported when it opens, and its absence or a lock
            // does not stop the reading.
            keys = try? NodeKeys.load(keyFile: directory.nodeKey, unlockKey: unlockKey)
        }
        let log = try RaftLogLoader.load(directory, decrypter: decrypter)
        warnings += log.skippedSnapshots.map { "skipped damaged snapshot \($0)" }
        if case .tornTail(let position, let reason)? = log.wal.tornTail {
            warnings.append("\(position): torn last record (\(reason)); everything before it was read")
        }
        let local = try Self.localMember(log, in: directory)
        var cluster: ClusterState?
        if replay {
            let state = try Replayer.replay(log, localMember: local)
            warnings += state.warnings.map(\.description)
            cluster = state
        }
        return LoadedNode(
            directory: directory, knownManagers: managers, dockerState: dockerState, certificates: certificates, keys: keys, raft: log,
            cluster: cluster, localMember: local, raftAlgorithm: Self.algorithm(of: log), warnings: warnings)
    }

    /// This node's raft member record: the WAL's metadata, as swarmkit writes it at the head
    /// of every segment. Metadata that does not decode is corruption, not an unknown member.
    static func localMember(_ log: RaftLog, in directory: StateDirectory) throws -> SwarmRaftMember? {
        guard let metadata = log.wal.metadata else { return nil }
        do {
            return try SwarmRaftMember(serializedBytes: metadata)
        } catch {
            let wal = directory.walDirectory(log.layout).path
            let segment = log.wal.segments.first.map { wal + "/" + $0.fileName } ?? wal
            throw NodeLoadError.undecodableMetadata(path: segment, reason: "\(error)")
        }
    }

    /// The algorithm the raft data is actually stored with, read off the first payload; nil
    /// (shown as "unknown") when there is no payload or it is not a record — the log's own
    /// reading has reported that already.
    static func algorithm(of log: RaftLog) -> SwarmMaybeEncryptedRecord.Algorithm? {
        guard log.layout.isEncrypted else { return SwarmMaybeEncryptedRecord.Algorithm.none }
        var sample = log.snapshot?.snapshot.data
        if sample == nil, let first = log.entries.first {
            sample = try? log.wal.raftEntry(first).data
        }
        guard let sample, let record = try? SwarmMaybeEncryptedRecord(serializedBytes: sample) else { return nil }
        return record.algorithm
    }
}

/// A state directory that cannot be loaded as a node, beyond what its formats' readers say.
public enum NodeLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The WAL metadata (this node's RaftMember record) does not decode.
    case undecodableMetadata(path: String, reason: String)

    public var description: String {
        switch self {
        case .undecodableMetadata(let path, let reason):
            "\(path): the WAL metadata (this node's raft member record) does not decode: \(reason)"
        }
    }
}
