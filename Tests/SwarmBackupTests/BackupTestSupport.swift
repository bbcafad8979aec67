import Foundation
import SwarmArchive
import SwarmBackup
import SwarmFormats
import SwarmTestSupport

/// Temporary folders for one test, removed at the end.
final class Scratch {
    let root: URL

    init() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-backup-test-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }
}

enum BackupFixture {
    static func unlockKey(_ scenario: String) throws -> UnlockKey? {
        try Fixtures.unlockKey(scenario).map { try UnlockKey(parsing: $0, source: "test") }
    }

    /// Backs up a private copy of a fixture folder; returns the copy and the result.
    static func backup(
        _ scenario: String, _ node: String, repository: String, encryption: AgeEncryptionTarget? = nil,
        compression: ArchiveCompression = .zstd, withKey: Bool = true
    ) throws -> (source: StateDirectory, result: BackupResult) {
        let copy = StateDirectory(path: Fixtures.copy(scenario, node).path)
        let request = BackupRequest(
            stateDirectory: copy, repository: repository, unlockKey: withKey ? try unlockKey(scenario) : nil,
            encryption: encryption, compression: compression, labels: ["test": scenario])
        return (copy, try BackupRunner(request: request).run())
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }
}
