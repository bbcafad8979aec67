import BackgroundCalls
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
    /// The entry's data as stored (encrypted in the encrypted layout).
    public let storedData: Data

    public var index: UInt64 { stored.index }
    public var term: UInt64 { stored.term }
    public var type: RaftEntryType { stored.type }
}

/// The raft data of a manager as it would start from it: the newest intact snapshot and the
/// WAL entries after it. Entry payloads are decrypted as they are visited, never all at once.
public struct RaftLog: Sendable {
    public let layout: RaftLayout
    public let snapshot: LoadedSnapshot?
    /// Decrypted snapshot payload (a marshaled api.Snapshot), when there is a snapshot.
    public let snapshotPayload: Data?
    /// Newer snapshot files that were damaged and passed over.
    public let skippedSnapshots: [SkippedSnapshot]
    public let wal: WALContents
    public let decrypter: any RaftPayloadDecrypter

    public var entries: [WALEntry] { wal.entries }
    public var hardState: RaftHardState { wal.hardState }
    public var snapshotIndex: UInt64 { snapshot?.index ?? 0 }
    public var snapshotTerm: UInt64 { snapshot?.term ?? 0 }
    public var lastIndex: UInt64 { wal.entries.last?.index ?? snapshotIndex }
    public var lastTerm: UInt64 { wal.entries.last?.term ?? snapshotTerm }

    /// Visits every entry in log order with its payload decrypted.
    public func forEachEntry(
        in indexes: ClosedRange<UInt64> = 0...UInt64.max, _ body: (RaftLogEntry) throws -> Void
    ) throws {
        try wal.forEachEntry(in: indexes) { stored, entry in
            let plaintext: Data
            if entry.data.isEmpty {
                plaintext = entry.data
            } else {
                do {
                    plaintext = try decrypter.decrypt(entry.data)
                } catch {
                    throw RaftPayloadError(location: "\(stored.position) (entry \(stored.index))", underlying: "\(error)")
                }
            }
            try body(RaftLogEntry(stored: stored, payload: plaintext, storedData: entry.data))
        }
    }
}

/// Why a payload could not be decrypted, with the place it is stored.
public struct RaftPayloadError: Error, Sendable, CustomStringConvertible {
    public let location: String
    public let underlying: String

    public var description: String { "\(location): cannot decrypt: \(underlying)" }
}

public enum RaftLogLoader {
    /// Loads snapshot + WAL as swarmkit's bootstrap does, read-only. Entries are checked
    /// (framing, CRC) here and decrypted later, as they are visited.
    public static func load(
        _ directory: StateDirectory, decrypter: any RaftPayloadDecrypter
    ) throws -> RaftLog {
        guard let layout = directory.raftLayout else {
            if directory.isManager { throw StateDirectoryError.noWAL(path: directory.raftDirectory.path) }
            throw StateDirectoryError.worker(path: directory.path)
        }
        let snapshotReader = SnapshotReader(directory: directory.snapshotDirectory(layout))
        let walReader = WALReader(directory: directory.walDirectory(layout))
        // The WAL is read from the newest snapshot file's index while that snapshot is read,
        // checked and decrypted: the two are independent unless the snapshot proves damaged,
        // and then the WAL is read again from the snapshot used instead.
        let guess = try snapshotReader.snapshotNames().last.map { WALStart(index: $0.index, term: $0.term) } ?? WALStart()
        let guessed = BackgroundCall { try walReader.readAll(from: guess) }
        defer { guessed.wait() }
        let snapshots = try snapshotReader.loadNewest()
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
        let wal = try start == guess ? guessed.value() : walReader.readAll(from: start)
        return RaftLog(
            layout: layout, snapshot: snapshots.snapshot, snapshotPayload: payload,
            skippedSnapshots: snapshots.skipped, wal: wal, decrypter: decrypter)
    }
}
