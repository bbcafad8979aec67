import Foundation
import SwarmTestSupport
import Testing

/// `backup`, `verify`, `list`, `prune` as cron and playbooks run them.
@Suite struct BackupCLITests {
    static func scratch() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-cli-backup-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func backup(_ folder: URL, repo: URL, _ extra: [String] = []) throws -> CLIRunner.Result {
        try CLIRunner.run(["backup", "--state-dir", folder.path, "--repo", repo.path, "--json", "--quiet"] + extra)
    }

    @Test func backupWrittenVerifiedListedAndPruned() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-2")
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = try DamageCLITests.fingerprint(folder)
        let repo = root.appendingPathComponent("repo")
        var archives: [String] = []
        for _ in 0..<3 {
            let result = try Self.backup(folder, repo: repo, ["--label", "site=test", "--metrics-file", root.appendingPathComponent("m.prom").path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty, "quiet run printed: \(result.stderr)")
            let archive = try #require(result.json["archive"] as? String)
            archives.append(archive)
            let manifest = try #require(result.json["manifest"] as? [String: Any])
            #expect((manifest["labels"] as? [String: String]) == ["site": "test"])
            #expect(manifest["verification"] as? String == "full")
            #expect(URL(fileURLWithPath: archive).lastPathComponent.hasPrefix("swarm-"))
        }
        // Reading a live folder changes nothing in it.
        #expect(try DamageCLITests.fingerprint(folder) == before)
        let metrics = try String(contentsOf: root.appendingPathComponent("m.prom"), encoding: .utf8)
        #expect(metrics.contains("swarmsafe_backup_success{"))
        #expect(metrics.contains("} 1\n"))

        let verify = try CLIRunner.run(["verify", archives[0], "--deep"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("good"))

        let list = try CLIRunner.run(["list", "--repo", repo.path, "--json"])
        #expect(list.status == 0)
        let listed = try #require(list.json["backups"] as? [[String: Any]])
        #expect(listed.compactMap { $0["path"] as? String }.sorted() == archives.sorted())

        let noPolicy = try CLIRunner.run(["prune", "--repo", repo.path])
        #expect(noPolicy.status == 2)
        let dry = try CLIRunner.run(["prune", "--repo", repo.path, "--keep-last", "1", "--dry-run", "--json"])
        #expect(dry.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: repo.path).filter { $0.hasPrefix("swarm-") }.count == 3)
        let prune = try CLIRunner.run(["prune", "--repo", repo.path, "--keep-last", "1", "--json"])
        #expect(prune.status == 0)
        #expect((prune.json["removed"] as? [String])?.count == 2)
        let left = try FileManager.default.contentsOfDirectory(atPath: repo.path).filter { $0.hasPrefix("swarm-") }
        #expect(left == [URL(fileURLWithPath: archives[2]).lastPathComponent])
        // Judged from outside: the archive that is kept restores to what swarmkit's own
        // decoder read from the folder, object by object and field by field.
        let restored = root.appendingPathComponent("restored/swarm")
        let restore = try CLIRunner.run(["restore", archives[2], "--state-dir", restored.path])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try GoldenReading.dumpedFields(restored.path) == GoldenReading.fields("ha-3mgr-snapshot", "manager-2"))
    }

    @Test func workerFolderIsRefused() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try Self.backup(Fixtures.folder("ha-3mgr-snapshot", "worker-1"), repo: root.appendingPathComponent("repo"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("worker"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// Damage in the live folder is not a race: reported at once as corruption, naming the
    /// folder's own file, and no archive is written.
    @Test func aDamagedFolderIsCorruptNotRetriedForever() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let segment = DamageCLITests.walSegment(folder)
        let byte = try Data(contentsOf: segment)[0x200]
        try DamageCLITests.patch(segment, at: 0x200, [byte ^ 0xff])
        let repo = root.appendingPathComponent("repo")
        let result = try Self.backup(folder, repo: repo)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("CRC mismatch"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!result.stderr.contains("swarmsafe-backup-"), "names our working copy: \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: repo.path).filter { !$0.hasPrefix(".swarmsafe.lock") } == [])
        let siblings = try FileManager.default.contentsOfDirectory(atPath: folder.deletingLastPathComponent().path)
        #expect(!siblings.contains { $0.hasPrefix(".\(folder.lastPathComponent).swarmsafe-") })
    }

    @Test func heldRepositoryLockFailsWithBusy() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let repo = root.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        let holder = try Holder.flock(repo.appendingPathComponent(".swarmsafe.lock").path)
        defer { holder.stop() }
        let result = try Self.backup(Fixtures.folder("single-manager", "manager-1"), repo: repo)
        #expect(result.status == 6)
        #expect(result.stderr.contains("locked"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: repo.path).filter { !$0.hasPrefix(".swarmsafe.lock") } == [])
    }

    @Test func autolockedWithoutKeyChecksStructureOnly() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let repo = root.appendingPathComponent("repo")
        let folder = Fixtures.folder("autolock-3mgr", "manager-1")
        let result = try CLIRunner.run(["backup", "--state-dir", folder.path, "--repo", repo.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try #require(result.json["manifest"] as? [String: Any])
        #expect(manifest["verification"] as? String == "structure")
        #expect(manifest["objects"] == nil || manifest["objects"] is NSNull)
        #expect(result.stderr.contains("autolocked"))
        let archive = try #require(result.json["archive"] as? String)
        let withoutKey = try CLIRunner.run(["verify", archive])
        #expect(withoutKey.status == 3)
        let withKey = try CLIRunner.run(["verify", archive, "--deep"] + CLIRunner.keyArguments("autolock-3mgr"))
        #expect(withKey.status == 0, "\(withKey.stdout)\(withKey.stderr)")
        let wrongKey = try CLIRunner.run(["verify", archive, "--unlock-key", "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8"])
        #expect(wrongKey.status == 3)
        // Checked for structure only, but whole: restored with the key, it holds what swarmkit's
        // own decoder read from the folder, object by object and field by field.
        let restored = root.appendingPathComponent("restored/swarm")
        let restore = try CLIRunner.run(["restore", archive, "--state-dir", restored.path] + CLIRunner.keyArguments("autolock-3mgr"))
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try GoldenReading.dumpedFields(restored.path, keys: CLIRunner.keyArguments("autolock-3mgr"))
            == GoldenReading.fields("autolock-3mgr", "manager-1"))
    }

    @Test func ageEncryptedArchiveInteroperatesWithTheAgeTool() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let identity = root.appendingPathComponent("key.txt").path
        let other = root.appendingPathComponent("other.txt").path
        #expect(Fixtures.run("/usr/bin/age-keygen", ["-o", identity]) == 0)
        #expect(Fixtures.run("/usr/bin/age-keygen", ["-o", other]) == 0)
        let recipient = try #require(
            try String(contentsOfFile: identity, encoding: .utf8).split(separator: "\n")
                .first { $0.hasPrefix("# public key: ") }.map { String($0.dropFirst("# public key: ".count)) })
        let repo = root.appendingPathComponent("repo")
        // fips-1mgr is autolocked: its unlock key lets backup and verify decode every record.
        let key = CLIRunner.keyArguments("fips-1mgr")
        let result = try Self.backup(Fixtures.folder("fips-1mgr", "manager-1"), repo: repo, ["--recipient", recipient] + key)
        #expect(result.status == 0, "\(result.stderr)")
        let archive = try #require(result.json["archive"] as? String)
        #expect(archive.hasSuffix(".tar.zst.age"))
        // The archive holds the node key; without the identity nothing of it is readable.
        let raw = try Data(contentsOf: URL(fileURLWithPath: archive))
        #expect(raw.starts(with: Data("age-encryption.org/v1\n".utf8)))

        #expect(try CLIRunner.run(["verify", archive]).status == 3)
        let wrong = try CLIRunner.run(["verify", archive, "--identity", other])
        #expect(wrong.status == 3)
        #expect(wrong.stderr.split(separator: "\n").count == 1)
        let right = try CLIRunner.run(["verify", archive, "--identity", identity, "--deep"] + key)
        #expect(right.status == 0, "\(right.stdout)\(right.stderr)")

        // Debian's age decrypts it, and GNU tar lists it.
        let plain = root.appendingPathComponent("plain.tar.zst").path
        #expect(Fixtures.run("/usr/bin/age", ["-d", "-i", identity, "-o", plain, archive]) == 0)
        let listing = try Self.output("/bin/tar", ["--zstd", "-tf", plain])
        #expect(listing.contains("manifest.json"))
        #expect(listing.contains("swarm/certificates/swarm-node.key"))

        // And an archive age encrypted is one we read: re-encrypt the plain one with age.
        let reencrypted = root.appendingPathComponent("again.tar.zst.age").path
        #expect(Fixtures.run("/usr/bin/age", ["-r", recipient, "-o", reencrypted, plain]) == 0)
        #expect(try CLIRunner.run(["verify", reencrypted, "--identity", identity] + key).status == 0)
    }

    @Test func passphraseEncryptedBackup() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let passphrase = root.appendingPathComponent("pass").path
        try "correct horse battery staple\n".write(toFile: passphrase, atomically: true, encoding: .utf8)
        let wrong = root.appendingPathComponent("wrong").path
        try "not it\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let result = try Self.backup(
            Fixtures.folder("single-manager", "manager-1"), repo: root.appendingPathComponent("repo"),
            ["--passphrase-file", passphrase, "--compression", "gzip"])
        #expect(result.status == 0, "\(result.stderr)")
        let archive = try #require(result.json["archive"] as? String)
        #expect(archive.hasSuffix(".tar.gz.age"))
        #expect(try CLIRunner.run(["verify", archive, "--passphrase-file", passphrase]).status == 0)
        #expect(try CLIRunner.run(["verify", archive, "--passphrase-file", wrong]).status == 3)
        // Judged from outside: decrypted and restored, it holds what swarmkit's own decoder read
        // from the folder, object by object and field by field.
        let restored = root.appendingPathComponent("restored/swarm")
        let restore = try CLIRunner.run(["restore", archive, "--state-dir", restored.path, "--passphrase-file", passphrase])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try GoldenReading.dumpedFields(restored.path) == GoldenReading.fields("single-manager", "manager-1"))
        // Damage inside the encrypted payload is damage (4), not a wrong key (3).
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        bytes[bytes.count / 2] ^= 0x01
        let damaged = root.appendingPathComponent("damaged.tar.gz.age").path
        try bytes.write(to: URL(fileURLWithPath: damaged))
        let verify = try CLIRunner.run(["verify", damaged, "--passphrase-file", passphrase])
        #expect(verify.status == 4, "\(verify.stderr)")
        #expect(verify.stderr.split(separator: "\n").count == 1)
    }

    @Test func changedByteInTheArchiveIsFoundAndRestoreChangesNothing() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try Self.backup(
            Fixtures.folder("single-manager", "manager-1"), repo: root.appendingPathComponent("repo"), ["--compression", "none"])
        let archive = try #require(result.json["archive"] as? String)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int)
        // Every part of the archive: headers, key, WAL, manifest.
        for offset in stride(from: 700, to: size - 1024, by: size / 7) {
            let damaged = root.appendingPathComponent("damaged-\(offset).tar").path
            var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
            bytes[offset] ^= 0x40
            try bytes.write(to: URL(fileURLWithPath: damaged))
            let verify = try CLIRunner.run(["verify", damaged])
            #expect(verify.status == 4, "byte \(offset): \(verify.stdout)\(verify.stderr)")

            let target = root.appendingPathComponent("restore-\(offset)/swarm")
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            #expect(Fixtures.run("/bin/cp", ["-a", Fixtures.folder("fips-1mgr", "manager-1").path, target.path]) == 0)
            let before = try DamageCLITests.fingerprint(target)
            let siblings = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path).count
            let restore = try CLIRunner.run(["restore", damaged, "--state-dir", target.path, "--force"])
            #expect(restore.status == 4, "byte \(offset): \(restore.stderr)")
            #expect(restore.stderr.split(separator: "\n").count == 1)
            #expect(try DamageCLITests.fingerprint(target) == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path).count == siblings)
        }
    }

    /// Archives that try to write outside the folder, or to plant links or devices, are
    /// refused before anything is written, and nothing appears outside the target.
    @Test(arguments: ["traversal", "absolute", "symlink", "hardlink"])
    func unsafeArchivesAreRefused(_ kind: String) throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("swarm"), withIntermediateDirectories: true)
        let evil = work.appendingPathComponent("swarm/evil")
        try "owned\n".write(to: evil, atomically: true, encoding: .utf8)
        let archive = root.appendingPathComponent("\(kind).tar").path
        let arguments: [String] = switch kind {
        case "traversal": ["-cf", archive, "-C", work.path, "--transform", "s,^swarm/evil,swarm/../../evil,", "swarm/evil"]
        case "absolute": ["-cPf", archive, root.appendingPathComponent("work/swarm/evil").path]
        case "symlink": ["-cf", archive, "-C", work.path, "swarm/link"]
        default: ["-cf", archive, "-C", work.path, "swarm/evil", "swarm/hard"]
        }
        if kind == "symlink" { try FileManager.default.createSymbolicLink(atPath: work.path + "/swarm/link", withDestinationPath: "/etc/passwd") }
        if kind == "hardlink" { try FileManager.default.linkItem(atPath: evil.path, toPath: work.path + "/swarm/hard") }
        #expect(Fixtures.run("/bin/tar", arguments) == 0)
        try FileManager.default.removeItem(at: work)

        let target = root.appendingPathComponent("deep/state")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let restore = try CLIRunner.run(["restore", archive, "--state-dir", target.path])
        #expect(restore.status == 4, "\(restore.stderr)")
        #expect(restore.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: target.path))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("evil").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path) == [])
        #expect(try CLIRunner.run(["verify", archive]).status == 4)
    }

    @Test func restoreRefusesAHeldOrNonEmptyDirectory() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let backup = try Self.backup(Fixtures.folder("single-manager", "manager-1"), repo: root.appendingPathComponent("repo"))
        let archive = try #require(backup.json["archive"] as? String)
        let target = Fixtures.copy("ha-3mgr-snapshot", "manager-3")
        defer { try? FileManager.default.removeItem(at: target) }

        let notEmpty = try CLIRunner.run(["restore", archive, "--state-dir", target.path])
        #expect(notEmpty.status == 1)
        #expect(notEmpty.stderr.contains("--force"))

        // Another swarmsafe holding the folder.
        let holder = try Holder.flock(target.path)
        let held = try CLIRunner.run(["restore", archive, "--state-dir", target.path, "--force"])
        holder.stop()
        #expect(held.status == 6, "\(held.stderr)")

        // A raft writer (swarmkit, or our stand-in) holding its WAL lock.
        let appender = Process()
        appender.executableURL = BackupConcurrencyTests.appender
        appender.arguments = [target.path, "20", "\(64 << 20)", "1000000"]
        let out = Pipe()
        appender.standardOutput = out
        try appender.run()
        let ready = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        #expect(ready.hasPrefix("ready"))
        DispatchQueue.global().async { _ = out.fileHandleForReading.readDataToEndOfFile() }
        let daemon = try CLIRunner.run(["restore", archive, "--state-dir", target.path, "--force"])
        kill(appender.processIdentifier, SIGKILL)
        appender.waitUntilExit()
        #expect(daemon.status == 6, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("locked") || daemon.stderr.contains("in use"))
    }

    static func output(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A child process holding a lock, as another swarmsafe run or a daemon would.
final class Holder {
    let process: Process

    private init(_ process: Process) { self.process = process }

    /// An exclusive flock on a file or directory (created as a file if missing), held by a
    /// shell that then becomes `sleep`, so stopping it releases the lock; returned once taken.
    static func flock(_ path: String) throws -> Holder {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let open = FileManager.default.fileExists(atPath: path) ? "9<" : "9>"
        process.arguments = ["-c", "exec \(open)\"$0\"; /usr/bin/flock -n 9 || exit 1; echo locked; exec sleep 60", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        _ = pipe.fileHandleForReading.availableData
        return Holder(process)
    }

    /// SIGKILL: processes started from the test runner may have SIGTERM blocked.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
