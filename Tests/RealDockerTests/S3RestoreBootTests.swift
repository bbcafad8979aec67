import Foundation
import RealDocker
import S3TestServer
import Testing

extension RealDockerSuite {
    /// A backup sent to S3 while dockerd runs, the manager's disk lost, and the state restored
    /// from the bucket (streamed, no local copy): dockerd boots it with every object back.
    @Suite struct S3Restore {
        typealias Migration = RealDockerSuite.Migration

        @Test func aStateRestoredFromS3BootsInDockerd() throws {
            let server = try S3TestServer()
            defer { server.stop() }
            try server.makeBucket("swarm-backups")
            try withLab { lab in
                let engine = try lab.engine("s3-restore")
                try engine.swarmInit()
                try Migration.populate(engine)
                let before = try Migration.objects(engine)
                let backup = try SwarmsafeCLI.expectSuccess([
                    "backup", "--state-dir", engine.stateDirectory.path, "--repo", "s3://swarm-backups/prod",
                    "--s3-part-size", "16KiB", "--json", "--quiet",
                ], environment: server.environment)
                let archive = try #require(backup.json["archive"] as? String)
                #expect(try server.keys("swarm-backups") == [String(archive.dropFirst("s3://swarm-backups/".count))])

                // The manager's disk is lost.
                engine.stop()
                try FileManager.default.removeItem(at: engine.stateDirectory)
                let restore = try SwarmsafeCLI.expectSuccess([
                    "restore", archive, "--state-dir", engine.stateDirectory.path, "--json",
                ], environment: server.environment)
                #expect(restore.json["previous_moved_to"] == nil || restore.json["previous_moved_to"] is NSNull)
                try engine.start()
                try waitActiveManager(engine)
                #expect(try Migration.objects(engine) == before)
                #expect(try engine.docker(["node", "ls", "--format", "{{.ManagerStatus}}"]).lines == ["Leader"])
                try waitRunning(engine, "web")
                show("dockerd after a restore streamed from S3", try engine.docker(["service", "ls"]).stdout)
            }
        }
    }
}
