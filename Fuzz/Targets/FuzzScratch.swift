import Foundation
import SwarmFormats

/// A private folder for the decoders that only read files (the WAL and snapshot readers map or
/// read a path): each input is written there and read back by the product.
/// It lives under `$TMPDIR`, which `scripts/fuzz.sh` points at a folder of its own.
enum FuzzScratch {
    /// Created once per process; removed by a later one once this process is gone.
    static let root: URL = {
        removeAbandoned()
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static let prefix = "swarmsafe-fuzz-"

    /// A process cannot clean up when libFuzzer or the test runner ends it: each one first
    /// removes the folders of processes that are gone.
    private static func removeAbandoned() {
        for leftover in ProcessLiveness.abandoned(in: FileManager.default.temporaryDirectory.path, prefix: prefix) {
            try? FileManager.default.removeItem(atPath: leftover)
        }
    }

    /// Runs `body` with the folder `name` under `root`, made on first use and kept: each
    /// input overwrites the same files, which keeps a fuzzer's executions fast. One folder per
    /// thread, because the test suite runs entries in parallel.
    static func withFolder<R>(_ name: String, _ body: (URL) throws -> R) rethrows -> R {
        let folder = root.appendingPathComponent("\(name)-\(pthread_self())")
        if !FileManager.default.fileExists(atPath: folder.path) {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        return try body(folder)
    }

    /// Writes `data` to `folder/name`; a failure here is the harness's, not a finding.
    static func write(_ data: Data, to folder: URL, name: String) -> URL {
        let url = folder.appendingPathComponent(name)
        do {
            try data.write(to: url)
        } catch {
            fatalError("fuzz harness cannot write \(url.path): \(error)")
        }
        return url
    }
}
