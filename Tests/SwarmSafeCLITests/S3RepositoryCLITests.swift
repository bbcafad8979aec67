import Foundation
import S3TestServer
import SwarmTestSupport
import Testing

/// `--repo s3://…` and `s3://` archives against a real S3-protocol server (moto) on a
/// loopback address of the test's own, judged by a client we did not write (the AWS CLI).
@Suite(.serialized) struct S3RepositoryCLITests {
    static func run(_ server: S3TestServer, _ arguments: [String], environment: [String: String] = [:]) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments, environment: server.environment.merging(environment) { $1 })
    }

    static func scratch() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-cli-s3-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Keys that name a finished backup (not the lock, not staging).
    static func archives(_ keys: [String]) -> [String] {
        keys.filter { ($0.split(separator: "/").last ?? "").hasPrefix("swarm-") && !$0.contains(".swarmsafe-partial/") }
    }

    @Test func multipartBackupIsDownloadedByTheAWSCLIAndVerifies() throws {
        let server = try S3TestServer()
        try server.makeBucket("nightly")
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-2")
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: root) }
        let metrics = root.appendingPathComponent("backup.prom").path
        let backup = try Self.run(server, [
            "backup", "--state-dir", folder.path, "--repo", "s3://nightly/swarm/prod", "--s3-part-size", "4KiB",
            "--metrics-file", metrics, "--json", "--quiet",
        ])
        #expect(backup.status == 0, "\(backup.stderr)")
        let archive = try #require(backup.json["archive"] as? String)
        #expect(archive.hasPrefix("s3://nightly/swarm/prod/swarm-"))
        let bytes = try #require(backup.json["archive_bytes"] as? Int)
        #expect(bytes > 3 * 4096, "the fixture must need several parts")
        #expect(try String(contentsOfFile: metrics, encoding: .utf8).contains("swarmsafe_backup_success{"))

        // Exactly the archive is visible: no lock left, no staging object.
        let key = String(archive.dropFirst("s3://nightly/".count))
        #expect(try server.keys("nightly") == [key])
        #expect(try server.pendingUploads("nightly").isEmpty)
        // Uploaded in 4 KiB parts, as the server's own log shows.
        let parts = server.log.split(separator: "\n").filter { $0.contains("partNumber=") && $0.contains(" 200 ") }.count
        #expect(parts == (bytes + 4095) / 4096, "\(parts) parts for \(bytes) bytes")

        let local = root.appendingPathComponent(URL(fileURLWithPath: key).lastPathComponent).path
        try server.aws(["s3", "cp", archive, local])
        let verify = try CLIRunner.run(["verify", local])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("good (full check"))

        let list = try Self.run(server, ["list", "--repo", "s3://nightly/swarm/prod", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let listed = try #require(list.json["backups"] as? [[String: Any]])
        #expect(listed.compactMap { $0["path"] as? String } == [archive])
        #expect(listed.first?["bytes"] as? Int == bytes)
    }

    @Test func anArchiveTheAWSCLIUploadedIsListedVerifiedRestoredAndChecked() throws {
        let server = try S3TestServer()
        try server.makeBucket("offsite")
        let folder = Fixtures.copy("single-manager", "manager-1")
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: root) }
        let made = try CLIRunner.run(["backup", "--state-dir", folder.path, "--repo", root.appendingPathComponent("local").path, "--json", "--quiet"])
        #expect(made.status == 0, "\(made.stderr)")
        let local = try #require(made.json["archive"] as? String)
        let name = URL(fileURLWithPath: local).lastPathComponent
        try server.aws(["s3", "cp", local, "s3://offsite/\(name)"])

        let list = try Self.run(server, ["list", "--repo", "s3://offsite", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect((list.json["backups"] as? [[String: Any]])?.compactMap { $0["file"] as? String } == [name])

        let verify = try Self.run(server, ["verify", "s3://offsite/\(name)", "--deep", "--json"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.json["ok"] as? Bool == true)

        let target = root.appendingPathComponent("restored/swarm")
        let restore = try Self.run(server, ["restore", "s3://offsite/\(name)", "--state-dir", target.path, "--quiet"])
        #expect(restore.status == 0, "\(restore.stderr)")
        // Streamed from S3, the restore is file for file the restore of the local copy.
        let fromFile = root.appendingPathComponent("from-file/swarm")
        let restoreFile = try CLIRunner.run(["restore", local, "--state-dir", fromFile.path, "--quiet"])
        #expect(restoreFile.status == 0, "\(restoreFile.stderr)")
        let restored = try Fixtures.tree(target.path)
        #expect(restored == (try Fixtures.tree(fromFile.path)))
        #expect(restored.keys.contains("certificates/swarm-node.key"))

        let check = try Self.run(server, ["check", "s3://offsite/\(name)", "--json"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.json["passed"] as? Bool == true)
    }

    /// Killed at each step of the upload (kill points compiled into debug builds): nothing is
    /// ever visible under a backup's name but a complete archive, and the next run succeeds
    /// and leaves no staging object or unfinished upload behind.
    @Test(arguments: ["s3-part-sent:1", "s3-part-sent:3", "s3-upload-complete", "s3-archive-copied"])
    func aKilledUploadLeavesNoVisibleArchive(_ point: String) throws {
        let server = try S3TestServer()
        try server.makeBucket("killed")
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-2")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["backup", "--state-dir", folder.path, "--repo", "s3://killed/r", "--s3-part-size", "4KiB", "--json", "--quiet"]
        let killed = try Self.run(server, arguments, environment: ["SWARMSAFE_KILL_AT": point])
        #expect(killed.status == 128 + 9 || killed.status == 9, "not killed at \(point): \(killed.status) \(killed.stderr)")
        let visible = Self.archives(try server.keys("killed"))
        if point == "s3-archive-copied" {
            // Killed after the copy: the archive is there and complete.
            #expect(visible.count == 1)
            if let key = visible.first {
                let check = try Self.run(server, ["verify", "s3://killed/\(key)"])
                #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            }
        } else {
            #expect(visible.isEmpty, "\(visible)")
        }
        let listed = try Self.run(server, ["list", "--repo", "s3://killed/r", "--json"])
        #expect((listed.json["backups"] as? [[String: Any]])?.count == visible.count)

        // The killed run's lock names a process that is gone on this host: stale, taken over.
        let next = try Self.run(server, arguments)
        #expect(next.status == 0, "\(next.stderr)")
        let after = try server.keys("killed")
        #expect(Self.archives(after).count == visible.count + 1)
        #expect(after.allSatisfy { !$0.contains(".swarmsafe-partial/") && !$0.hasSuffix(".swarmsafe.lock") }, "\(after)")
        #expect(try server.pendingUploads("killed").isEmpty)
    }

    @Test func pruneRemovesOnlyWhatThePolicyDropsAndRespectsTheLock() throws {
        let server = try S3TestServer()
        try server.makeBucket("retained")
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        var archives: [String] = []
        for _ in 0..<3 {
            let made = try Self.run(server, ["backup", "--state-dir", folder.path, "--repo", "s3://retained", "--json", "--quiet"])
            #expect(made.status == 0, "\(made.stderr)")
            archives.append(try #require(made.json["archive"] as? String))
        }
        // A foreign object stays whatever the policy says.
        let foreign = FileManager.default.temporaryDirectory.appendingPathComponent("notes-\(UUID().uuidString.prefix(6)).txt")
        try Data("hands off".utf8).write(to: foreign)
        defer { try? FileManager.default.removeItem(at: foreign) }
        try server.aws(["s3", "cp", foreign.path, "s3://retained/notes.txt"])

        // A live lock of another host refuses the prune (exit 6) and changes nothing.
        let now = ISO8601DateFormatter().string(from: Date())
        let lock = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString.prefix(6)).json")
        try Data(#"{"host":"other-host","pid":1,"refreshed":"\#(now)","since":"\#(now)","token":"x"}"#.utf8).write(to: lock)
        defer { try? FileManager.default.removeItem(at: lock) }
        try server.aws(["s3", "cp", lock.path, "s3://retained/.swarmsafe.lock"])
        let refused = try Self.run(server, ["prune", "--repo", "s3://retained", "--keep-last", "1"])
        #expect(refused.status == 6, "\(refused.stderr)")
        #expect(refused.stderr.contains("locked"), "\(refused.stderr)")
        #expect(refused.stderr.contains("other-host"), "\(refused.stderr)")
        #expect(Self.archives(try server.keys("retained")).count == 3)

        // The same lock, last written an hour ago, is stale (restic's rule) and taken over.
        let old = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))
        try Data(#"{"host":"other-host","pid":1,"refreshed":"\#(old)","since":"\#(old)","token":"x"}"#.utf8).write(to: lock)
        try server.aws(["s3", "cp", lock.path, "s3://retained/.swarmsafe.lock"])
        let prune = try Self.run(server, ["prune", "--repo", "s3://retained", "--keep-last", "1", "--json"])
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect((prune.json["removed"] as? [String])?.count == 2)
        let keys = try server.keys("retained")
        #expect(Set(keys) == ["notes.txt", String(archives[2].dropFirst("s3://retained/".count))], "\(keys)")
    }

    @Test func credentialsComeFromTheProfileFileAndWrongOnesAreRefusedClearly() throws {
        let server = try S3TestServer(authenticated: true)
        try server.makeBucket("guarded")
        let folder = Fixtures.copy("single-manager", "manager-1")
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: root) }
        let credentials = root.appendingPathComponent("credentials")
        try Data("""
            [default]
            aws_access_key_id = AKIANOTTHISONE
            aws_secret_access_key = nope

            [backup]
            aws_access_key_id = \(server.accessKeyID)
            aws_secret_access_key = \(server.secretAccessKey)

            """.utf8).write(to: credentials)
        let profileOnly = [
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": credentials.path,
            "AWS_PROFILE": "backup",
        ]
        // moto checks signatures only on requests without percent-encoded query bytes (see
        // S3TestServer), so with it the backup's own listing cannot pass; a verify of an
        // uploaded archive (HEAD and ranged GETs) is signed by us and checked by moto.
        let made = try CLIRunner.run(["backup", "--state-dir", folder.path, "--repo", root.appendingPathComponent("local").path, "--json", "--quiet"])
        let local = try #require(made.json["archive"] as? String)
        let name = URL(fileURLWithPath: local).lastPathComponent
        try server.aws(["s3", "cp", local, "s3://guarded/\(name)"])
        let verified = try Self.run(server, ["verify", "s3://guarded/\(name)"], environment: profileOnly)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")

        let before = try server.keys("guarded")
        let wrongSecret = try Self.run(server, [
            "backup", "--state-dir", folder.path, "--repo", "s3://guarded/r",
        ], environment: ["AWS_SECRET_ACCESS_KEY": "not-the-secret"])
        #expect(wrongSecret.status == 7, "\(wrongSecret.stderr)")
        #expect(wrongSecret.stderr.contains("access denied (SignatureDoesNotMatch"), "\(wrongSecret.stderr)")
        #expect(!wrongSecret.stderr.contains("not-the-secret"))
        #expect(wrongSecret.stderr.split(separator: "\n").count == 1, "\(wrongSecret.stderr)")
        let unknownKey = try Self.run(server, ["list", "--repo", "s3://guarded"], environment: ["AWS_PROFILE": "default", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": credentials.path])
        #expect(unknownKey.status == 7, "\(unknownKey.stderr)")
        #expect(unknownKey.stderr.contains("InvalidAccessKeyId"), "\(unknownKey.stderr)")
        #expect(try server.keys("guarded") == before)

        let none = try Self.run(server, ["list", "--repo", "s3://guarded"], environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        #expect(none.status == 7, "\(none.stderr)")
        #expect(none.stderr.contains("no AWS credentials found"), "\(none.stderr)")
    }

    @Test func aMissingBucketOrKeyAndADroppedConnectionEachFailClearly() throws {
        let server = try S3TestServer()
        try server.makeBucket("present")
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-2")
        defer { try? FileManager.default.removeItem(at: folder) }
        let missingBucket = try Self.run(server, ["backup", "--state-dir", folder.path, "--repo", "s3://absent-bucket/x"])
        #expect(missingBucket.status == 5, "\(missingBucket.stderr)")
        #expect(missingBucket.stderr.contains("s3://absent-bucket: no such bucket"), "\(missingBucket.stderr)")
        let missingKey = try Self.run(server, ["verify", "s3://present/swarm-nothing.tar.zst"])
        #expect(missingKey.status == 5, "\(missingKey.stderr)")
        #expect(missingKey.stderr.contains("s3://present/swarm-nothing.tar.zst: no such object"), "\(missingKey.stderr)")
        let badAddress = try Self.run(server, ["list", "--repo", "s3://Not_A_Bucket"])
        #expect(badAddress.status == 2, "\(badAddress.stderr)")

        // Through a proxy that lets 20 KiB of requests through, then drops every connection.
        let dropper = try ConnectionDropper(upstreamHost: server.host, upstreamPort: server.port, dropAfter: 20 << 10)
        defer { dropper.stop() }
        let dropped = try Self.run(server, [
            "backup", "--state-dir", folder.path, "--repo", "s3://present/r", "--s3-part-size", "4KiB",
        ], environment: ["AWS_ENDPOINT_URL": dropper.endpoint])
        #expect(dropped.status == 1, "\(dropped.stderr)")
        #expect(dropped.stderr.contains("s3://present/r/"), "\(dropped.stderr)")
        #expect(dropped.stderr.contains("attempts"), "\(dropped.stderr)")
        // Retries are logged as they happen; the failure itself is one line.
        #expect(dropped.stderr.split(separator: "\n").filter { $0.hasPrefix("swarmsafe: error:") }.count == 1, "\(dropped.stderr)")
        #expect(Self.archives(try server.keys("present")).isEmpty)
        // Nothing visible; the next run through the real server cleans up what was left.
        let next = try Self.run(server, ["backup", "--state-dir", folder.path, "--repo", "s3://present/r", "--quiet"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(Self.archives(try server.keys("present")).count == 1)
        #expect(try server.pendingUploads("present").isEmpty)
    }

    /// HTTPS with a certificate from a CA the system does not know: refused, in one line,
    /// until `--s3-ca-file` names the CA; then the archive is stored and the AWS CLI (trusting
    /// the same CA) reads it.
    @Test func tlsIsCheckedAgainstTheSystemStoreOrTheGivenCAFile() throws {
        let server = try S3TestServer(tls: true)
        try server.makeBucket("tls")
        let caFile = try #require(server.caFile)
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let untrusted = try Self.run(server, ["backup", "--state-dir", folder.path, "--repo", "s3://tls/r", "--quiet"])
        #expect(untrusted.status == 1, "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("s3://tls/r/"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.lowercased().contains("certificate"), "\(untrusted.stderr)")
        #expect(try server.keys("tls").isEmpty)

        let trusted = try Self.run(server, ["backup", "--state-dir", folder.path, "--repo", "s3://tls/r", "--s3-ca-file", caFile, "--json", "--quiet"])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        let archive = try #require(trusted.json["archive"] as? String)
        let local = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString.prefix(6)).tar.zst").path
        defer { try? FileManager.default.removeItem(atPath: local) }
        try server.aws(["s3", "cp", archive, local])
        let verify = try CLIRunner.run(["verify", local])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        // AWS_CA_BUNDLE, as the AWS CLI reads it, works the same way.
        let fromEnvironment = try Self.run(server, ["list", "--repo", "s3://tls/r"], environment: ["AWS_CA_BUNDLE": caFile])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
    }

    /// Throttled (503 SlowDown) for its first requests, a backup waits and tries again, and
    /// says so; the archive it stores is complete.
    @Test func throttlingIsWaitedOut() throws {
        let server = try S3TestServer()
        try server.makeBucket("busy")
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let proxy = try ConnectionDropper(upstreamHost: server.host, upstreamPort: server.port, slowDownFirst: 3)
        defer { proxy.stop() }
        let backup = try Self.run(server, ["backup", "--state-dir", folder.path, "--repo", "s3://busy/r", "--json"],
                                  environment: ["AWS_ENDPOINT_URL": proxy.endpoint])
        #expect(backup.status == 0, "\(backup.stderr)")
        // Three connections are refused; how many requests that costs depends on how the
        // client spreads them over connections (one 503 each), so at least one and at most three.
        let retries = backup.stderr.components(separatedBy: "S3 request failed, trying again").count - 1
        #expect((1...3).contains(retries), "\(backup.stderr)")
        #expect(backup.stderr.contains("SlowDown"), "\(backup.stderr)")
        let archive = try #require(backup.json["archive"] as? String)
        let verify = try Self.run(server, ["verify", archive])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// A download that breaks in the middle (the proxy closes each connection after 32 KiB of
    /// answers) resumes where it stopped, asking for the same object (If-Match): the backup's
    /// read-back and a later verify both get every byte.
    @Test func aBrokenDownloadResumesWhereItStopped() throws {
        let server = try S3TestServer()
        try server.makeBucket("cut")
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-2")
        defer { try? FileManager.default.removeItem(at: folder) }
        let proxy = try ConnectionDropper(upstreamHost: server.host, upstreamPort: server.port, cutAnswersAfter: 32 << 10)
        defer { proxy.stop() }
        let through = ["AWS_ENDPOINT_URL": proxy.endpoint]
        let backup = try Self.run(server, ["backup", "--state-dir", folder.path, "--repo", "s3://cut/r", "--json", "--quiet"], environment: through)
        #expect(backup.status == 0, "\(backup.stderr)")
        let bytes = try #require(backup.json["archive_bytes"] as? Int)
        #expect(bytes > 3 * (32 << 10), "the archive must need several transfers")
        let archive = try #require(backup.json["archive"] as? String)
        let verify = try Self.run(server, ["verify", archive], environment: through)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("good (full check"))
    }
}
