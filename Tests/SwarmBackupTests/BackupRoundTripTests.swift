import Foundation
import SwarmArchive
import SwarmBackup
import SwarmFormats
import SwarmInspection
import SwarmNode
import SwarmStore
import SwarmTestSupport
import Testing

/// Every real fixture manager: backed up, verified, restored into a new folder, and read back
/// equal to the source.
@Suite struct BackupRoundTripTests {
    static let managers = Fixtures.readManagers.map { "\($0.0)/\($0.1)" } + ["after-force-new-cluster/manager-2"]

    static func split(_ id: String) -> (String, String) {
        let parts = id.split(separator: "/")
        return (parts.dropLast().joined(separator: "/"), String(parts.last ?? ""))
    }

    @Test(arguments: managers)
    func backupVerifyRestoreInspectsEqual(_ id: String) throws {
        let (scenario, node) = Self.split(id)
        let scratch = Scratch()
        let (source, result) = try BackupFixture.backup(scenario, node, repository: scratch.path("repo"))
        defer { try? FileManager.default.removeItem(atPath: source.path) }
        let key = try BackupFixture.unlockKey(scenario)

        #expect(result.manifest.verification == .full)
        #expect(result.archivePath.hasSuffix(".tar.zst"))
        #expect(FileManager.default.fileExists(atPath: result.archivePath))
        #expect(result.manifest.files.contains { $0.path == "certificates/swarm-node.key" && $0.mode == "0600" })
        #expect(!result.manifest.files.contains { $0.path.hasSuffix(".tmp") || $0.path.hasPrefix("worker/") })

        let report = try BackupVerifier(archive: result.archivePath, key: nil, unlockKey: key, deep: true).verify()
        #expect(report.findings == [])
        #expect(report.ok)
        #expect(report.verification == .full)

        let target = scratch.path("restored")
        let restored = try BackupRestorer(archive: result.archivePath, target: target, key: nil, unlockKey: key, force: false).restore()
        #expect(restored.previousMovedTo == nil)

        let before = try NodeLoader(unlockKey: key).loadManager(source).inspectReport()
        let restoredNode = try NodeLoader(unlockKey: key).loadManager(StateDirectory(path: target))
        let after = restoredNode.inspectReport()
        #expect(try comparable(before) == comparable(after))
        // The restored objects are the ones swarmkit's own decoder read from the fixture.
        var versions: [String: Set<String>] = [:]
        for kind in ObjectKind.allCases where Fixtures.goldenKinds.contains("\(kind)") {
            versions["\(kind)"] = Set((restoredNode.cluster?.store.objects(kind) ?? []).map { "\($0.id) \($0.versionIndex)" })
        }
        #expect(versions == (try Fixtures.goldenVersions(scenario, node)))
        #expect(after.objects == result.manifest.objects)

        // Byte for byte: every file but the WAL segments equal; each segment the source's
        // bytes up to where its data ends, the rest of the source being preallocated zeros.
        let sourceFiles = try Fixtures.tree(source.path)
        let restoredFiles = try Fixtures.tree(target)
        for (path, bytes) in restoredFiles {
            let original = try #require(sourceFiles[path], "\(path) was not in the source")
            if path.hasSuffix(".wal") {
                #expect(original.prefix(bytes.count) == bytes, "\(path)")
                #expect(original.dropFirst(bytes.count).allSatisfy { $0 == 0 }, "\(path): data after the copied part")
            } else {
                #expect(original == bytes, "\(path)")
            }
        }
        #expect(try BackupFixture.mode(target) == 0o700)
        #expect(try BackupFixture.mode(target + "/certificates/swarm-node.key") == 0o600)
        #expect(try BackupFixture.mode(target + "/raft") == 0o700)
    }

    /// Everything but where it was read from.
    func comparable(_ report: InspectReport) throws -> String {
        var copy = report
        copy.stateDir = ""
        copy.warnings = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(copy), as: UTF8.self)
    }
}
