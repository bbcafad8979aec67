import Foundation
import RealDocker
import S3TestServer
import Testing

extension RealDockerSuite {
    /// Restores onto the host the backup came from (the backup kept off-host, in an S3 bucket,
    /// and streamed back from it), and a disk moved to a new host rescued there with `recover
    /// --advertise-addr`.
    @Suite struct RestoreInPlace {
        typealias Migration = RealDockerSuite.Migration

        @Test func restoreOnTheSameHostBringsBackTheBackedUpSwarm() throws {
            let server = try S3TestServer()
            defer { server.stop() }
            try server.makeBucket("swarm-backups")
            try withLab { lab in
                let engine = try lab.engine("same-host")
                try engine.swarmInit()
                try Migration.populate(engine)
                let before = try Migration.objects(engine)
                let nodeID = try engine.swarmInfo()["NodeID"] as? String
                // A hot backup, sent to the bucket in several parts.
                let backup = try SwarmsafeCLI.expectSuccess([
                    "backup", "--state-dir", engine.stateDirectory.path, "--repo", "s3://swarm-backups/prod",
                    "--s3-part-size", "16KiB", "--json", "--quiet",
                ], environment: server.environment)
                let archive = try #require(backup.json["archive"] as? String)
                #expect(try server.keys("swarm-backups") == [String(archive.dropFirst("s3://swarm-backups/".count))])
                // What happens after the backup is what the restore takes back.
                try engine.docker(["secret", "create", "after-the-backup", "-"], input: Data("x".utf8))
                try engine.docker(["service", "rm", "web"])
                engine.stop()

                // Streamed from the bucket, no local copy.
                let restore = try SwarmsafeCLI.expectSuccess([
                    "restore", archive, "--state-dir", engine.stateDirectory.path, "--force", "--json",
                ], environment: server.environment)
                let moved = try #require(restore.json["previous_moved_to"] as? String)
                #expect(FileManager.default.fileExists(atPath: moved))
                try engine.start()
                try waitActiveManager(engine)
                #expect(try Migration.objects(engine) == before)
                #expect(try engine.swarmInfo()["NodeID"] as? String == nodeID)
                #expect(try engine.docker(["node", "ls", "--format", "{{.ManagerStatus}}"]).lines == ["Leader"])
                #expect(try Migration.printedJoinCommand(engine, "manager").last == engine.address)
                try waitRunning(engine, "web")
                show("dockerd after a restore on the same host, streamed from S3", try engine.docker(["service", "ls"]).stdout)
            }
        }

        @Test func aDiskMovedToANewHostIsRecoveredThereAtItsNewAddress() throws {
            try withLab { lab in
                let old = try lab.engine("old-disk")
                try old.swarmInit()
                try Migration.populate(old)
                let before = try Migration.objects(old)
                old.stop()

                // The disk goes to a new machine: same folder, new address.
                let new = try lab.engine("new-machine", start: false)
                try FileManager.default.createDirectory(at: new.dataRoot, withIntermediateDirectories: true)
                let copy = try BoundedCommand.run("/bin/cp", ["-a", old.stateDirectory.path, new.stateDirectory.path], timeout: 60)
                #expect(copy.succeeded, "\(copy)")
                let recover = try SwarmsafeCLI.expectSuccess([
                    "recover", "--force-new-cluster", "--state-dir", new.stateDirectory.path,
                    "--advertise-addr", new.address, "--json",
                ])
                #expect((recover.json["address_change"] as? [String: Any])?["snapshot_rebuilt"] as? Bool == true)
                try SwarmsafeCLI.expectSuccess(["check", "--state-dir", new.stateDirectory.path, "--advertise-addr", new.address])
                try new.start()
                try waitActiveManager(new)
                try new.importBusybox()
                try Migration.expectAddress(new, is: new.address, notIP: old.ip)
                #expect(try Migration.objects(new) == before)
                try waitRunning(new, "web")
                let manager2 = try lab.engine("joins-new-machine")
                try Migration.join(manager2, with: try Migration.printedJoinCommand(new, "manager"))
                try waitUntil("two managers", timeout: 90, every: 0.5) {
                    try new.docker(["node", "ls", "--format", "{{.ManagerStatus}}"]).lines.sorted() == ["Leader", "Reachable"]
                }
                show("dockerd after recover --advertise-addr on the moved disk", try new.docker(["node", "ls"]).stdout)
            }
        }
    }
}
