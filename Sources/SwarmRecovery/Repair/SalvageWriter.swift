#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats
import SwarmProto

/// Writes a repaired state directory into an empty staging folder: every file outside the
/// raft log copied unchanged, the intact snapshot files copied unchanged, and a new WAL
/// holding the salvaged snapshot's record, the kept entries (their stored bytes, still
/// encrypted) and the salvaged hard state.
///
/// A new WAL rather than a cut copy of the old one: the hard state must usually change, the
/// snapshot record may be missing, and a fresh chain has no records before the start left
/// over to confuse a reader.
enum SalvageWriter {
    /// Entries go to the WAL in saves of about this size, bounding memory.
    static let batchBytes = 4 << 20

    /// Returns the source entries that are neither files, folders nor symlinks (not copied).
    static func write(_ plan: RepairPlan, from source: StateDirectory, into staged: StateDirectory) throws -> [String] {
        let log = plan.salvage.log
        let layout = log.layout
        var skipped = try TreeCopy.copyContents(of: source.path, into: staged.path, excluding: ["raft"])
        let raft = staged.raftDirectory.path
        try FileSync.makeDirectory(raft, mode: 0o700)
        skipped += try TreeCopy.copyContents(
            of: source.raftDirectory.path, into: raft, excluding: [layout.walDirectoryName, layout.snapshotDirectoryName])

        let snapshots = staged.snapshotDirectory(layout).path
        try FileSync.makeDirectory(snapshots, mode: 0o700)
        for snapshot in plan.salvage.snapshots {
            let mode = try FileSync.mode(of: snapshot.path)
            try TreeCopy.copyFile(snapshot.path, to: snapshots + "/" + snapshot.name.fileName, mode: mode)
        }
        try FileSync.syncDirectory(snapshots)

        var wal = try WALWriter.create(directory: staged.walDirectory(layout), metadata: plan.salvage.metadata)
        if let snapshot = log.snapshot {
            var record = WALSnapshot()
            record.index = snapshot.index
            record.term = snapshot.term
            record.confState = snapshot.snapshot.metadata.confState
            try wal.saveSnapshot(record)
        }
        var batch: [MarshaledEntry] = []
        var batchSize = 0
        for stored in log.entries {
            let entry = try log.wal.marshaledEntry(stored)
            batch.append(entry)
            batchSize += entry.bytes.count
            if batchSize >= batchBytes {
                try wal.save(hardState: RaftHardState(), marshaledEntries: batch)
                batch.removeAll(keepingCapacity: true)
                batchSize = 0
            }
        }
        try wal.save(hardState: plan.hardStateAfter, marshaledEntries: batch)
        try wal.close()

        // The folders get the modes the originals had.
        for (from, to) in [
            (source.walDirectory(layout).path, staged.walDirectory(layout).path), (source.snapshotDirectory(layout).path, snapshots),
            (source.raftDirectory.path, raft),
        ] {
            // A folder the damaged source lacks (no snapshots yet) keeps the staging mode.
            let mode = try FileSync.mode(of: from, orIfMissing: 0o700)
            guard chmod(to, mode) == 0 else { throw FileAccessError(path: to, operation: "set the mode of", errno: errno) }
        }
        try FileSync.syncDirectory(raft)
        return skipped
    }
}
