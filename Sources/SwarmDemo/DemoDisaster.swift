import Foundation
import SwarmFormats

/// The loss of the old host, simulated without deleting anything: its state directory is
/// moved away and its newest WAL segment torn in half, as a disk dying mid-write leaves it.
enum DemoDisaster {
    static func destroy(_ directory: StateDirectory) throws {
        let lost = directory.path + ".lost"
        try FileSync.rename(directory.path, to: lost)
        let moved = StateDirectory(path: lost)
        guard let layout = moved.raftLayout else { return }
        let wal = moved.walDirectory(layout).path
        let segments = try FileManager.default.contentsOfDirectory(atPath: wal).filter { $0.hasSuffix(".wal") }.sorted()
        guard let newest = segments.last else { return }
        let path = wal + "/" + newest
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard truncate(path, off_t(size / 2)) == 0 else {
            throw FileAccessError(path: path, operation: "truncate", errno: errno)
        }
    }
}
