import Foundation
import SwarmTestSupport
import Testing

/// `restore` onto a fresh host (no /var/lib/docker yet), and `restore --json` when it refuses.
@Suite struct RestoreCLITests {
    static func mode(_ url: URL) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
    }

    static func archive(_ root: URL) throws -> String {
        let backup = try BackupCLITests.backup(Fixtures.folder("single-manager", "manager-1"), repo: root.appendingPathComponent("repo"))
        return try #require(backup.json["archive"] as? String, "\(backup.stderr)")
    }

    /// The one JSON object a refused `restore --json` prints, and the one error line.
    static func expectFailure(_ result: CLIRunner.Result, status: Int32, mentioning part: String) {
        #expect(result.status == status, "\(result.stdout)\(result.stderr)")
        #expect(result.json["ok"] as? Bool == false, "\(result.stdout)")
        #expect(result.json["exit_code"] as? Int == Int(status))
        let error = result.json["error"] as? String ?? ""
        #expect(error.contains(part), "\(error)")
        #expect(!error.contains("\n"))
        #expect(result.json.keys.sorted() == ["error", "exit_code", "ok"])
        #expect(result.stderr.hasSuffix("swarmsafe: error: \(error)\n"), "\(result.stderr)")
    }

    @Test func missingParentFoldersAreCreated() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let archive = try Self.archive(root)
        let host = root.appendingPathComponent("fresh-host")
        let target = host.appendingPathComponent("var/lib/docker/swarm")
        let restore = try CLIRunner.run(["restore", archive, "--state-dir", target.path, "--json"])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(restore.json["ok"] as? Bool == true)
        #expect(restore.json["state_dir"] as? String == target.path)
        for folder in ["", "var", "var/lib", "var/lib/docker"] {
            #expect(try Self.mode(host.appendingPathComponent(folder)) == 0o755, "\(folder)")
        }
        #expect(try Self.mode(target) == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path) == ["swarm"])
        // The restored folder holds the objects swarmkit's own decoder read from the source.
        #expect(try GoldenReading.dumpedFields(target.path) == GoldenReading.fields("single-manager", "manager-1"))
    }

    /// A refused restore leaves the host as it was: the folders it created for the target go
    /// again, and the message says how to restore anyway.
    @Test func aRestoreThatDoesNotPassCheckCreatesNothingAndNamesNoCheck() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let rootCA = folder.appendingPathComponent("certificates/swarm-root-ca.crt")
        try FileManager.default.removeItem(at: rootCA)
        try FileManager.default.copyItem(
            at: Fixtures.folder("ha-3mgr-snapshot", "manager-1").appendingPathComponent("certificates/swarm-root-ca.crt"), to: rootCA)
        let bad = try BackupCLITests.backup(folder, repo: root.appendingPathComponent("repo"))
        let archive = try #require(bad.json["archive"] as? String, "\(bad.stderr)")
        let host = root.appendingPathComponent("fresh-host")
        let target = host.appendingPathComponent("var/lib/docker/swarm")

        let refused = try CLIRunner.run(["restore", archive, "--state-dir", target.path, "--json"])
        Self.expectFailure(refused, status: 4, mentioning: "root CA: swarm-root-ca.crt is not the cluster object's root CA")
        #expect((refused.json["error"] as? String)?.hasPrefix("\(archive): does not pass check: ") == true)
        #expect((refused.json["error"] as? String)?.hasSuffix("nothing was restored; pass --no-check to restore it anyway") == true)
        #expect(!FileManager.default.fileExists(atPath: host.path))

        let text = try CLIRunner.run(["restore", archive, "--state-dir", target.path])
        #expect(text.status == 4)
        #expect(text.stdout.isEmpty)
        #expect(text.stderr.contains("pass --no-check to restore it anyway"))
        #expect(!FileManager.default.fileExists(atPath: host.path))

        let forced = try CLIRunner.run(["restore", archive, "--state-dir", target.path, "--no-check"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Self.mode(host.appendingPathComponent("var/lib/docker")) == 0o755)
    }

    @Test func jsonRefusalsCarryTheErrorAndTheExitCode() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let archive = try Self.archive(root)
        let target = Fixtures.copy("ha-3mgr-snapshot", "manager-3")
        defer { try? FileManager.default.removeItem(at: target) }
        let before = try DamageCLITests.fingerprint(target)

        let notEmpty = try CLIRunner.run(["restore", archive, "--state-dir", target.path, "--json"])
        Self.expectFailure(notEmpty, status: 1, mentioning: "\(target.path): not empty; pass --force")

        let missing = root.appendingPathComponent("no-such-archive.tar.zst").path
        let notFound = try CLIRunner.run(["restore", missing, "--state-dir", target.path, "--force", "--json"])
        Self.expectFailure(notFound, status: 5, mentioning: missing)

        let holder = try Holder.flock(target.path)
        let held = try CLIRunner.run(["restore", archive, "--state-dir", target.path, "--force", "--json"])
        holder.stop()
        Self.expectFailure(held, status: 6, mentioning: "wait for it to finish before restoring")
        #expect(try DamageCLITests.fingerprint(target) == before)

        // A file where a parent folder should be: refused naming it, nothing created.
        let file = root.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: file)
        let blocked = try CLIRunner.run(["restore", archive, "--state-dir", file.appendingPathComponent("docker/swarm").path, "--json"])
        Self.expectFailure(blocked, status: 1, mentioning: "\(file.path): cannot create a folder in it")
        #expect(try Data(contentsOf: file) == Data("x".utf8))
    }
}
