import Foundation
import SwarmFormats

/// The input is one snapshot file, read by `SnapshotReader.load` (the CRC-checked decoder)
/// and through `loadNewest` (the newest-first choice every loader makes).
enum SnapshotFuzz {
    static let name = SnapshotName(term: 2, index: 0x78)

    static func run(_ data: Data) -> FuzzOutcome {
        FuzzScratch.withFolder("snap") { folder in
            let path = FuzzScratch.write(data, to: folder, name: name.fileName).path
            let direct = FuzzOutcome.of { _ = try SnapshotReader.load(path: path, name: name) }
            let newest = FuzzOutcome.of {
                let (loaded, skipped) = try SnapshotReader(directory: folder).loadNewest()
                // The one file is either the snapshot or the reason there is none.
                precondition((loaded == nil) != skipped.isEmpty, "loadNewest neither loaded nor skipped the only snapshot")
            }
            precondition(newest.isAccepted, "loadNewest threw on a readable folder: \(newest)")
            return direct
        }
    }
}
