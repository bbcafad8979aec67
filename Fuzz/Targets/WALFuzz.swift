import Foundation
import SwarmFormats

/// The input is one WAL segment (`0000000000000000-0000000000000000.wal`), read from index 0
/// by the strict reader (`readAll`, what every command uses) and by the salvage reader
/// (`repair`). Beyond not crashing, the two must agree on a log the strict reader accepts.
enum WALFuzz {
    static let segmentName = WALSegmentName(sequence: 0, firstIndex: 0).fileName

    static func run(_ data: Data) -> FuzzOutcome {
        FuzzScratch.withFolder("wal") { folder in
            _ = FuzzScratch.write(data, to: folder, name: segmentName)
            let strict = FuzzOutcome.of {
                let contents = try WALReader(directory: folder).readAll()
                var expected = contents.entries.first?.index ?? 1
                try contents.forEachEntry { entry, raft in
                    precondition(entry.index == expected, "readAll returned entry \(entry.index) where \(expected) belongs")
                    precondition(raft.index == entry.index, "entry at index \(entry.index) decodes as index \(raft.index)")
                    expected += 1
                }
                let salvage = try WALSalvageReader(directory: folder).read()
                agree(contents, salvage)
            }
            if !strict.isAccepted {
                // Damage the strict reader refuses is what the salvage reader exists for.
                _ = FuzzOutcome.of {
                    let salvage = try WALSalvageReader(directory: folder).read()
                    try salvage.contents.forEachEntry { _, _ in }
                }
            }
            return strict
        }
    }

    /// A log `readAll` accepts is one the salvage reader reads to the same end, with the same
    /// entries: `repair` must never cut a log a manager would read whole.
    private static func agree(_ strict: WALContents, _ salvage: WALSalvage) {
        precondition(salvage.snapshotRecordFound, "salvage missed the snapshot record readAll matched")
        precondition(
            salvage.contents.entries.map(\.index) == strict.entries.map(\.index),
            "salvage kept \(salvage.contents.entries.count) entries, readAll \(strict.entries.count)")
        switch (strict.tornTail, salvage.stop) {
        case (nil, nil):
            precondition(salvage.contents.end == strict.end, "salvage ends at \(salvage.contents.end), readAll at \(strict.end)")
            precondition(salvage.contents.crcAtEnd == strict.crcAtEnd, "salvage and readAll end on different CRCs")
        case (.tornTail(let at, _)?, .tornTail(let stop, _)?):
            precondition(at == stop, "torn tail at \(at) for readAll, \(stop) for salvage")
        default:
            preconditionFailure("readAll ends \(String(describing: strict.tornTail)), salvage \(String(describing: salvage.stop))")
        }
    }
}
