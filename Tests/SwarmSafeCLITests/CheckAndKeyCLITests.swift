import Foundation
import SwarmTestSupport
import Testing

/// `check`, the migration restore with a new address, and the unlock-key commands, as an
/// operator types them.
@Suite struct CheckAndKeyCLITests {
    @Test func checkBootsABackupOfAThreeManagerClusterWithoutTouchingIt() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let key = CLIRunner.keyArguments("autolock-3mgr")
        let backup = try BackupCLITests.backup(
            Fixtures.folder("autolock-3mgr", "manager-1"), repo: root.appendingPathComponent("repo"), key)
        let archive = try #require(backup.json["archive"] as? String)
        let archiveBytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        let result = try CLIRunner.run(["check", archive, "--json", "--work-dir", root.path] + key)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.json["passed"] as? Bool == true)
        #expect(result.json["recovered_on_copy"] as? Int == 2)
        let items = try #require(result.json["items"] as? [[String: Any]])
        #expect(items.map { $0["name"] as? String } == [
            "references", "leader", "member addresses", "own address", "node certificate", "root CA", "unlock", "write probe",
        ])
        #expect(items.allSatisfy { $0["ok"] as? Bool == true })
        // The archive is as it was and no scratch copy is left behind.
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive)) == archiveBytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["repo"])
        // The unlock key is never printed.
        let keyText = try #require(Fixtures.unlockKey("autolock-3mgr"))
        #expect(!result.stdout.contains(keyText) && !result.stderr.contains(keyText))

        let locked = try CLIRunner.run(["check", archive, "--work-dir", root.path])
        #expect(locked.status == 3)
    }

    /// The address swarmkit will use is the raft membership's; check holds it against what
    /// the operator asked for and against docker-state.json.
    @Test func checkHoldsTheOwnAddressAgainstTheRequestAndDockerState() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        let nodeID = try #require(inspect.json["node_id"] as? String)
        let members = try #require((inspect.json["raft"] as? [String: Any])?["members"] as? [[String: Any]])
        let own = try #require(members.first { $0["node_id"] as? String == nodeID }?["addr"] as? String)

        #expect(try CLIRunner.run(["check", "--state-dir", folder.path, "--advertise-addr", own]).status == 0)
        let wrong = try CLIRunner.run(["check", "--state-dir", folder.path, "--advertise-addr", "10.9.9.9:2377"])
        #expect(wrong.status == 4)
        #expect(wrong.stdout.contains("FAIL own address"))
        #expect(wrong.stdout.contains("not 10.9.9.9:2377: Docker would advertise \(own)"), "\(wrong.stdout)")

        // docker-state.json saying otherwise: information without a request, a failure with one.
        let dockerState = #"{"LocalAddr":"10.9.9.9","RemoteAddr":"","ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"10.9.9.9:2377","DataPathAddr":"","DefaultAddressPool":[],"SubnetSize":24,"DataPathPort":4789,"JoinInProgress":false}"#
        try Data(dockerState.utf8).write(to: folder.appendingPathComponent("docker-state.json"))
        let unasked = try CLIRunner.run(["check", "--state-dir", folder.path, "--json"])
        #expect(unasked.status == 0, "\(unasked.stdout)")
        let information = unasked.json["information"] as? [String] ?? []
        #expect(information.contains { $0.contains("docker-state.json advertises 10.9.9.9:2377") }, "\(unasked.stdout)")
        let asked = try CLIRunner.run(["check", "--state-dir", folder.path, "--advertise-addr", own])
        #expect(asked.status == 4)
        #expect(asked.stdout.contains("FAIL own address") && asked.stdout.contains("docker-state.json advertises 10.9.9.9:2377"))
    }

    @Test func checkFailsWhenTheRootCAIsAnotherClusters() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        // Replace the root CA file by another cluster's: the node certificate no longer chains.
        let other = Fixtures.folder("ha-3mgr-snapshot", "manager-1").appendingPathComponent("certificates/swarm-root-ca.crt")
        let target = folder.appendingPathComponent("certificates/swarm-root-ca.crt")
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: other, to: target)
        let result = try CLIRunner.run(["check", "--state-dir", folder.path])
        #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("FAIL root CA"))
    }

    @Test func restoreOntoANewHostWithANewAddress() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let backup = try BackupCLITests.backup(
            Fixtures.folder("ha-3mgr-snapshot", "manager-2"), repo: root.appendingPathComponent("repo"), [])
        let archive = try #require(backup.json["archive"] as? String)
        let target = root.appendingPathComponent("new-host/swarm")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let restore = try CLIRunner.run([
            "restore", archive, "--state-dir", target.path, "--force-new-cluster", "--advertise-addr", "192.0.2.10",
            "--remove-lost-managers", "--json",
        ])
        #expect(restore.status == 0, "\(restore.stderr)")
        let recovery = try #require(restore.json["force_new_cluster"] as? [String: Any])
        let change = try #require(recovery["address_change"] as? [String: Any])
        #expect((change["to"] as? String)?.hasPrefix("192.0.2.10:") == true)
        #expect((recovery["removed_nodes"] as? [Any])?.count == 2)
        let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", target.path])
        let raft = try #require(inspect.json["raft"] as? [String: Any])
        let members = try #require(raft["members"] as? [[String: Any]])
        #expect(members.count == 1)
        #expect((members.first?["addr"] as? String)?.hasPrefix("192.0.2.10:") == true)
        // Judged from outside, against swarmkit's own decoder's reading of the source: the two
        // lost managers' node objects are gone; this node's addresses moved (not listed by the
        // golden: only its version may differ); tasks on the lost managers keep everything the
        // golden lists but their version; the cluster object's blacklist grew (its version
        // moved on); everything else is exactly as swarmkit read it.
        let expected = try Fixtures.expected("ha-3mgr-snapshot")["nodes"] as? [String: String] ?? [:]
        let judged = Fixtures.goldenComparable(
            try GoldenReading.dumpedFields(target.path), try GoldenReading.fields("ha-3mgr-snapshot", "manager-2"),
            removedNodes: [try #require(expected["manager-1"]), try #require(expected["manager-3"])],
            movedNodes: [try #require(expected["manager-2"])], rewrittenKinds: ["cluster"])
        #expect(judged.got == judged.golden)
        #expect(judged.golden["node"]?.count == 3)
        let check = try CLIRunner.run(["check", "--state-dir", target.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func keyRotateWritesTheNewKeyBeforeChangingAnything() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("autolock-3mgr", "manager-3")
        defer { try? FileManager.default.removeItem(at: parent) }
        let key = CLIRunner.keyArguments("autolock-3mgr")
        #expect(try CLIRunner.run(["recover", "--force-new-cluster", "--state-dir", folder.path] + key).status == 0)
        // Nowhere to put the new key: refused before anything happens.
        let nowhere = try CLIRunner.run(["key", "rotate", "--state-dir", folder.path] + key)
        #expect(nowhere.status == 2)
        let newKeyFile = parent.appendingPathComponent("new.key")
        let rotate = try CLIRunner.run(["key", "rotate", "--state-dir", folder.path, "--new-key-file", newKeyFile.path] + key)
        #expect(rotate.status == 0, "\(rotate.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: newKeyFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let newKey = try String(contentsOf: newKeyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newKey.hasPrefix("SWMKEY-1-"))
        #expect(!rotate.stdout.contains(newKey) && !rotate.stderr.contains(newKey))
        #expect(try CLIRunner.run(["key", "verify", "--state-dir", folder.path, "--unlock-key-file", newKeyFile.path]).status == 0)
        #expect(try CLIRunner.run(["key", "verify", "--state-dir", folder.path] + key).status == 3)
        // Turn autolock off with the new key, and the folder opens without one.
        let unlock = try CLIRunner.run(["key", "unlock", "--state-dir", folder.path, "--unlock-key-file", newKeyFile.path])
        #expect(unlock.status == 0, "\(unlock.stderr)")
        let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        #expect(inspect.status == 0)
        #expect((inspect.json["encryption"] as? [String: Any])?["locked"] as? Bool == false)
        // Only the cluster object changed (twice: its unlock keys); everything else is what
        // swarmkit's own decoder read from the fixture.
        let judged = Fixtures.goldenComparable(
            try GoldenReading.dumpedFields(folder.path), try GoldenReading.fields("autolock-3mgr", "manager-3"), rewrittenKinds: ["cluster"])
        #expect(judged.got == judged.golden)
    }

    /// Every refusal comes before the new key file is written: a key file left by a refused
    /// change opens nothing and blocks the retry (it is never overwritten).
    @Test func aRefusedKeyChangeWritesNoKeyFile() throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let newKeyFile = parent.appendingPathComponent("new.key")
        let before = try DamageCLITests.fingerprint(folder)
        let wal = folder.appendingPathComponent("raft/wal-v3-encrypted")
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: wal.path).sorted().first { $0.hasSuffix(".wal") })

        // A daemon holding its WAL (the lock etcd takes on every segment).
        let daemon = try Holder.flock(wal.appendingPathComponent(segment).path)
        let dryRun = try CLIRunner.run(["key", "lock", "--state-dir", folder.path, "--new-key-file", newKeyFile.path, "--dry-run"])
        let held = try CLIRunner.run(["key", "lock", "--state-dir", folder.path, "--new-key-file", newKeyFile.path])
        daemon.stop()
        for result in [dryRun, held] {
            #expect(result.status == 6, "\(result.stderr)")
            // (The pid, when found, is whoever took the flock: here a short-lived child of the holder.)
            #expect(result.stderr.hasPrefix("swarmsafe: error: \(folder.path): in use by a running swarm manager (WAL segment \(segment) is locked"))
            #expect(result.stderr.hasSuffix("); stop Docker (systemctl stop docker) before changing the unlock key\n"))
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: newKeyFile.path))

        // Another swarmsafe holding the folder.
        let other = try Holder.flock(folder.path)
        let busy = try CLIRunner.run(["key", "lock", "--state-dir", folder.path, "--new-key-file", newKeyFile.path])
        other.stop()
        #expect(busy.status == 6, "\(busy.stderr)")
        #expect(busy.stderr.hasSuffix("wait for it to finish before changing the unlock key\n"))
        #expect(!FileManager.default.fileExists(atPath: newKeyFile.path))
        #expect(try DamageCLITests.fingerprint(folder) == before)

        // Once nothing holds it, the same command goes through and its key opens the folder.
        let lock = try CLIRunner.run(["key", "lock", "--state-dir", folder.path, "--new-key-file", newKeyFile.path])
        #expect(lock.status == 0, "\(lock.stderr)")
        #expect(try CLIRunner.run(["key", "verify", "--state-dir", folder.path, "--unlock-key-file", newKeyFile.path]).status == 0)

        // A wrong current key, and a cluster with other voters: refused, no key file either.
        let wrongKeyFile = parent.appendingPathComponent("wrong.key")
        try Data("SWMKEY-1-\(Data(repeating: 7, count: 32).base64EncodedString().replacingOccurrences(of: "=", with: ""))\n".utf8)
            .write(to: wrongKeyFile)
        let rotatedFile = parent.appendingPathComponent("rotated.key")
        let wrong = try CLIRunner.run([
            "key", "rotate", "--state-dir", folder.path, "--unlock-key-file", wrongKeyFile.path, "--new-key-file", rotatedFile.path,
        ])
        #expect(wrong.status == 3, "\(wrong.stderr)")
        let (otherParent, threeManagers) = try RecoverCLITests.privateCopy("autolock-3mgr", "manager-1")
        defer { try? FileManager.default.removeItem(at: otherParent) }
        let voters = try CLIRunner.run(
            ["key", "rotate", "--state-dir", threeManagers.path, "--new-key-file", rotatedFile.path] + CLIRunner.keyArguments("autolock-3mgr"))
        #expect(voters.status == 1, "\(voters.stderr)")
        #expect(voters.stderr.contains("2 other voting manager(s)"))
        #expect(!FileManager.default.fileExists(atPath: rotatedFile.path))
    }

    /// `restore` boots the staged state before the swap; a state that does not pass is not
    /// put in place, and `verify --deep` says the same of the archive.
    @Test func restoreAndVerifyDeepBootTheState() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let good = try BackupCLITests.backup(
            Fixtures.folder("single-manager", "manager-1"), repo: root.appendingPathComponent("repo"), [])
        let goodArchive = try #require(good.json["archive"] as? String)
        let verify = try CLIRunner.run(["verify", goodArchive, "--deep"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("boots in the embedded manager"))
        let target = root.appendingPathComponent("host/swarm")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let restore = try CLIRunner.run(["restore", goodArchive, "--state-dir", target.path, "--json"])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect((restore.json["check"] as? [String: Any])?["passed"] as? Bool == true)
        // Judged from outside: the restored store is what swarmkit's own decoder read from the
        // source, object by object and field by field.
        #expect(try GoldenReading.dumpedFields(target.path) == GoldenReading.fields("single-manager", "manager-1"))

        // A folder whose root CA file belongs to another cluster backs up, but does not boot.
        let (parent, folder) = try RecoverCLITests.privateCopy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let rootCA = folder.appendingPathComponent("certificates/swarm-root-ca.crt")
        try FileManager.default.removeItem(at: rootCA)
        try FileManager.default.copyItem(
            at: Fixtures.folder("ha-3mgr-snapshot", "manager-1").appendingPathComponent("certificates/swarm-root-ca.crt"), to: rootCA)
        let bad = try BackupCLITests.backup(folder, repo: root.appendingPathComponent("repo2"), [])
        let badArchive = try #require(bad.json["archive"] as? String, "\(bad.stderr)")
        let badVerify = try CLIRunner.run(["verify", badArchive, "--deep"])
        #expect(badVerify.status == 4)
        #expect(badVerify.stdout.contains("does not boot in the embedded manager: root CA"))
        let before = try DamageCLITests.fingerprint(target)
        let refused = try CLIRunner.run(["restore", badArchive, "--state-dir", target.path, "--force"])
        #expect(refused.status == 4, "\(refused.stderr)")
        #expect(refused.stderr.contains("does not pass check:") && refused.stderr.contains("root CA: swarm-root-ca.crt is not the cluster object's root CA"))
        #expect(try DamageCLITests.fingerprint(target) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path) == ["swarm"])
        // --no-check restores it anyway: the operator's call.
        let forced = try CLIRunner.run(["restore", badArchive, "--state-dir", target.path, "--force", "--no-check"])
        #expect(forced.status == 0, "\(forced.stderr)")
    }
}
