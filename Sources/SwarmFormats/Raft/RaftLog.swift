import Foundation
import SwarmProto

/// Turns the stored bytes of an entry or snapshot payload (a marshaled MaybeEncryptedRecord
/// in the encrypted layout) into plaintext. Injected so this layer does not decide where keys
/// come from.
public protocol RaftPayloadDecrypter: Sendable {
    func decrypt(_ stored: Data) throws -> Data
}

/// For the unencrypted layouts: payloads are stored as they are.
public struct PlaintextPayloads: RaftPayloadDecrypter {
    public init() {}
    public func decrypt(_ stored: Data) throws -> Data { stored }
}

/// One raft entry with its payload decrypted.
public struct RaftLogEntry: Sendable {
    public let stored: WALEntry
    /// Normal entries: a marshaled InternalRaftRequest (may be empty: leader no-ops).
    /// Conf changes: a marshaled raftpb.ConfChange.
    public let payload: Data

    public var index: UInt64 { stored.entry.index }
    public var term: UInt64 { stored.entry.term }
    public var type: RaftEntryType { stored.entry.type }
}

/// The raft data of a manager as it would start from it: the newest intact snapshot and the
/// WAL entries after it, decrypted.
public struct RaftLog: Sendable {
    public let layout: RaftLayout
    public let snapshot: LoadedSnapshot?
    /// Decrypted snapshot payload (a marshaled api.Snapshot), when there is a snapshot.
    public let snapshotPayload: Data?
    /// Newer snapshot files that were damaged and passed over.
    public let skippedSnapshots: [SkippedSnapshot]
    public let wal: WALContents
    public let entries: [RaftLogEntry]

    public var hardState: RaftHardState { wal.hardState }
    public var snapshotIndex: UInt64 { snapshot?.index ?? 0 }
    public var snapshotTerm: UInt64 { snapshot?.term ?? 0 }
    public var lastIndex: UInt64 { entries.last?.index ?? snapshotIndex }
    public var lastTerm: UInt64 { entries.last?.term ?? snapshotTerm }
}

/// Why a payload could not be decrypted, with the place it is stored.
public struct RaftPayloadError: Error, Sendable, CustomStringConvertible {
    public let location: String
    public let underlying: String

    public var description: String { "\(location): cannot decrypt: \(underlying)" }
}

public enum RaftLogLoader {
    /// Loads snapshot + WAL as swarmkit's bootstrap does, read-only.
    public static func load(
        _ directory: StateDirectory, decrypter: any RaftPayloadDecrypter
    ) throws -> RaftLog {
        guard let layout = directory.raftLayout else {
            if directory.isManager { throw StateDirectoryError.noWAL(path: directory.raftDirectory.path) }
            throw StateDirectoryError.worker(path: directory.path)
        }
        let snapshots = SnapshotReader(directory: directory.snapshotDirectory(layout)).loadNewest()
        var start = WALStart()
        var payload: Data?
        if let snapshot = snapshots.snapshot {
            start = WALStart(index: snapshot.index, term: snapshot.term)
            do {
                payload = try decrypter.decrypt(snapshot.snapshot.data)
            } catch {
                throw RaftPayloadError(location: snapshot.path, underlying: "\(error)")
            }
        }
        let wal = try WALReader(directory: directory.walDirectory(layout)).readAll(from: start)
        var entries: [RaftLogEntry] = []
        entries.reserveCapacity(wal.entries.count)
        for stored in wal.entries {
            let data = stored.entry.data
            let plaintext: Data
            if data.isEmpty {
                plaintext = data
            } else {
                do {
                    plaintext = try decrypter.decrypt(data)
                } catch {
                    throw RaftPayloadError(
                        location: "\(stored.position) (entry \(stored.entry.index))", underlying: "\(error)")
                }
            }
            entries.append(RaftLogEntry(stored: stored, payload: plaintext))
        }
        return RaftLog(
            layout: layout, snapshot: snapshots.snapshot, snapshotPayload: payload,
            skippedSnapshots: snapshots.skipped, wal: wal, entries: entries)
    }
}
