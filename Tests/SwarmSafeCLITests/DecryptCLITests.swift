import Foundation
import SwarmTestSupport
import Testing

@Suite struct DecryptCLITests {
    static let managers: [(String, String)] = Fixtures.readManagers + [
        ("after-force-new-cluster", "manager-2"), ("fresh-init", "manager-1"), ("fresh-init-autolock", "manager-1"),
    ]

    static func newOutput() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-decrypt-\(UUID().uuidString)")
    }

    /// Size, mode and modification time of every file under a folder: any write changes it.
    static func fingerprint(_ root: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: root.path) {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)
            out[path] = "\(attributes[.size] ?? "") \(attributes[.posixPermissions] ?? "") \(attributes[.modificationDate] ?? "")"
        }
        return out
    }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    @Test("decrypt writes the unencrypted layout, and it reads as the same cluster", arguments: managers)
    func decryptReadsBackTheSame(scenario: String, node: String) throws {
        let source = Fixtures.folder(scenario, node)
        let before = try Self.fingerprint(source)
        let output = Self.newOutput()
        defer { try? FileManager.default.removeItem(at: output) }
        let keys = CLIRunner.keyArguments(scenario)
        let result = try CLIRunner.run(["decrypt", "--state-dir", source.path, "--output", output.path, "--json"] + keys)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json["wal_directory"] as? String == "raft/wal")
        #expect(result.json["snapshot_directory"] as? String == "raft/snap")
        #expect(result.json["encrypted"] as? Bool == false)
        #expect(try Self.fingerprint(source) == before, "the source is never modified")

        #expect(Self.exists(output.appendingPathComponent("raft/wal")))
        #expect(Self.exists(output.appendingPathComponent("raft/snap")))
        #expect(!Self.exists(output.appendingPathComponent("raft/wal-v3-encrypted")))
        #expect(!Self.exists(output.appendingPathComponent("raft/snap-v3-encrypted")))

        // The objects are the ones swarmkit's own decoder read from the source.
        #expect(try GoldenReading.dumpedFields(output.path, keys: keys) == GoldenReading.fields(scenario, node))
        // Everything a reader derives is the same: objects, log entries, snapshot, raft state.
        for command in [["dump", "objects"], ["dump", "wal"], ["dump", "snapshot"]] {
            let original = try CLIRunner.run(command + ["--reveal-secrets", "--state-dir", source.path] + keys)
            let decrypted = try CLIRunner.run(command + ["--reveal-secrets", "--state-dir", output.path] + keys)
            #expect(decrypted.status == original.status, "\(command) \(decrypted.stderr)")
            #expect(decrypted.stdout == original.stdout, "\(command)")
        }
        let original = try CLIRunner.run(["inspect", "--json", "--state-dir", source.path] + keys).json
        let decrypted = try CLIRunner.run(["inspect", "--json", "--state-dir", output.path] + keys).json
        var originalRaft = original["raft"] as? [String: Any] ?? [:]
        var decryptedRaft = decrypted["raft"] as? [String: Any] ?? [:]
        #expect(decryptedRaft["layout"] as? String == "wal")
        originalRaft["layout"] = nil
        decryptedRaft["layout"] = nil
        #expect(NSDictionary(dictionary: decryptedRaft) == NSDictionary(dictionary: originalRaft))
        #expect(NSDictionary(dictionary: decrypted["objects"] as? [String: Any] ?? [:])
            == NSDictionary(dictionary: original["objects"] as? [String: Any] ?? [:]))
        #expect((decrypted["encryption"] as? [String: Any])?["algorithm"] as? String == "none")

        // The payloads really are in the clear: the cluster object's name is readable on disk.
        let raft = output.appendingPathComponent("raft")
        var clear = Data()
        for path in try FileManager.default.subpathsOfDirectory(atPath: raft.path) where path.hasSuffix(".wal") || path.hasSuffix(".snap") {
            clear.append(try Data(contentsOf: raft.appendingPathComponent(path)))
        }
        #expect(clear.range(of: Data("default".utf8)) != nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.deletingLastPathComponent().path)
            .filter { $0.hasPrefix("." + output.lastPathComponent) }.isEmpty, "no staging folder left")
    }

    /// swarm-rafttool opens `raft/wal` + `raft/snap` when there is no encrypted layout and
    /// never looks at `wal-v3`/`snap-v3`: the copy must have exactly those folders.
    @Test func writesTheFoldersSwarmRafttoolReads() throws {
        let output = Self.newOutput()
        defer { try? FileManager.default.removeItem(at: output) }
        let source = Fixtures.folder("ha-3mgr-snapshot", "manager-1").path
        let result = try CLIRunner.run(["decrypt", "--state-dir", source, "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let raft = output.appendingPathComponent("raft")
        #expect(try FileManager.default.contentsOfDirectory(atPath: raft.path).sorted() == ["snap", "wal"])
        #expect(result.stdout.hasPrefix("wrote \(output.path): raft/wal + raft/snap, "))
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: raft.appendingPathComponent("snap").path)
        #expect(snapshots.count == 1 && snapshots.allSatisfy { $0.hasSuffix(".snap") })
        let segments = try FileManager.default.contentsOfDirectory(atPath: raft.appendingPathComponent("wal").path)
        #expect(segments.filter { $0.hasSuffix(".wal") }.count == 1)
        for (folder, mode) in [("raft/wal", 0o700), ("raft/snap", 0o700)] {
            let attributes = try FileManager.default.attributesOfItem(atPath: output.appendingPathComponent(folder).path)
            #expect(attributes[.posixPermissions] as? Int == mode, "\(folder)")
        }
    }

    /// The reader still takes every layout swarmkit has used: the decrypted copy's folders
    /// renamed to the `wal-v3`/`snap-v3` names read as the same cluster.
    @Test func theV3PlainLayoutStillReads() throws {
        let output = Self.newOutput()
        defer { try? FileManager.default.removeItem(at: output) }
        let source = Fixtures.folder("single-manager", "manager-1")
        #expect(try CLIRunner.run(["decrypt", "--state-dir", source.path, "--output", output.path]).status == 0)
        let raft = output.appendingPathComponent("raft")
        let asLegacy = try CLIRunner.run(["inspect", "--json", "--state-dir", output.path]).json
        try FileManager.default.moveItem(at: raft.appendingPathComponent("wal"), to: raft.appendingPathComponent("wal-v3"))
        try FileManager.default.moveItem(at: raft.appendingPathComponent("snap"), to: raft.appendingPathComponent("snap-v3"))
        let asV3 = try CLIRunner.run(["inspect", "--json", "--state-dir", output.path]).json
        #expect((asLegacy["raft"] as? [String: Any])?["layout"] as? String == "wal")
        #expect((asV3["raft"] as? [String: Any])?["layout"] as? String == "wal-v3")
        let original = try CLIRunner.run(["inspect", "--json", "--state-dir", source.path]).json
        #expect((original["raft"] as? [String: Any])?["layout"] as? String == "wal-v3-encrypted")
        // Judged from outside in the v3 layout: what swarmkit's own decoder read from the
        // source, object by object and field by field.
        #expect(try GoldenReading.dumpedFields(output.path) == GoldenReading.fields("single-manager", "manager-1"))
        for inspected in [asLegacy, asV3] {
            #expect(NSDictionary(dictionary: inspected["objects"] as? [String: Any] ?? [:])
                == NSDictionary(dictionary: original["objects"] as? [String: Any] ?? [:]))
        }
    }

    @Test func refusesAnOutputThatHoldsAnything() throws {
        let output = Self.newOutput()
        defer { try? FileManager.default.removeItem(at: output) }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: false)
        try Data("precious".utf8).write(to: output.appendingPathComponent("keep"))
        let source = Fixtures.folder("single-manager", "manager-1").path
        let result = try CLIRunner.run(["decrypt", "--state-dir", source, "--output", output.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(output.path) && result.stderr.contains("not empty"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path) == ["keep"])
        #expect(try Data(contentsOf: output.appendingPathComponent("keep")) == Data("precious".utf8))
    }

    @Test func refusesAnOutputInsideTheSource() throws {
        let copy = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: copy) }
        let before = try Self.fingerprint(copy)
        let result = try CLIRunner.run(["decrypt", "--state-dir", copy.path, "--output", copy.appendingPathComponent("plain").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("must not be inside"))
        #expect(try Self.fingerprint(copy) == before)
    }

    @Test func anAutolockedManagerNeedsItsKeyAndNothingIsWrittenWithoutIt() throws {
        let output = Self.newOutput()
        defer { try? FileManager.default.removeItem(at: output) }
        let source = Fixtures.folder("autolock-3mgr", "manager-1").path
        let result = try CLIRunner.run(["decrypt", "--state-dir", source, "--output", output.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("swarm-node.key"))
        #expect(!Self.exists(output))
    }

    @Test func aMissingStateDirectoryIsNotFound() throws {
        let output = Self.newOutput()
        let result = try CLIRunner.run(["decrypt", "--state-dir", "/nonexistent/swarm", "--output", output.path])
        #expect(result.status == 5)
        #expect(!Self.exists(output))
    }
}
