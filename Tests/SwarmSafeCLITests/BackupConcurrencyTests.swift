import Foundation
import SwarmTestSupport
import Testing

/// Backups of a manager that keeps writing, and restores killed half-way.
@Suite(.serialized) struct BackupConcurrencyTests {
    static var appender: URL { CLIRunner.binary.deletingLastPathComponent().appendingPathComponent("swarmsafe-test-appender") }

    /// A process appending to a copy of a real log (cutting 128 KiB segments, writing a
    /// snapshot in place and collecting old segments every 25 batches) while backups run.
    @Test func backupsWhileAnotherProcessAppendsAreConsistent() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = Fixtures.copy("ha-3mgr-snapshot", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let startIndex = try #require(
            (try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path]).json["raft"] as? [String: Any])?["last_index"] as? Int)

        let process = Process()
        process.executableURL = Self.appender
        process.arguments = [folder.path, "30", "\(128 << 10)", "25"]
        let out = Pipe()
        process.standardOutput = out
        let err = Pipe()
        process.standardError = err
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let firstLine = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        #expect(firstLine.hasPrefix("ready"), "appender: \(firstLine)")
        // Keep the pipe drained so the appender never blocks on it.
        let drain = DispatchQueue(label: "drain")
        drain.async { _ = out.fileHandleForReading.readDataToEndOfFile() }

        let repo = root.appendingPathComponent("repo")
        var lastIndexes: [Int] = []
        var attempts: [Int] = []
        for _ in 0..<6 {
            let result = try BackupCLITests.backup(folder, repo: repo)
            #expect(result.status == 0, "\(result.stderr)")
            guard result.status == 0 else { break }
            let archive = try #require(result.json["archive"] as? String)
            let manifest = try #require(result.json["manifest"] as? [String: Any])
            let raft = try #require(manifest["raft"] as? [String: Any])
            lastIndexes.append(try #require(raft["last_index"] as? Int))
            attempts.append(manifest["capture_attempts"] as? Int ?? 0)
            let verify = try CLIRunner.run(["verify", archive, "--deep", "--json"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            usleep(150_000)
        }
        #expect(process.isRunning, "the appender stopped early: \(String(decoding: err.fileHandleForReading.availableData, as: UTF8.self))")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(lastIndexes.count == 6)
        #expect(lastIndexes.first.map { $0 > startIndex } ?? false, "the appender had not appended anything: \(lastIndexes)")
        #expect(lastIndexes == lastIndexes.sorted())
        #expect(Set(lastIndexes).count > 1, "every backup saw the same log: \(lastIndexes)")

        // The newest backup restores into a folder a manager can start from.
        let newest = try FileManager.default.contentsOfDirectory(atPath: repo.path).filter { $0.hasPrefix("swarm-") }.sorted().last
        let target = root.appendingPathComponent("restored").path
        let restore = try CLIRunner.run(["restore", repo.appendingPathComponent(try #require(newest)).path, "--state-dir", target])
        #expect(restore.status == 0, "\(restore.stderr)")
        let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", target])
        #expect(inspect.status == 0)
        #expect((inspect.json["raft"] as? [String: Any])?["last_index"] as? Int == lastIndexes.last)
    }

    /// A restore SIGKILLed at random moments leaves the directory holding the old state or
    /// the complete new one, and never loses the old one.
    @Test func restoreKilledAtRandomPointsLeavesOldOrNew() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let repo = root.appendingPathComponent("repo")
        let backup = try BackupCLITests.backup(Fixtures.folder("ha-3mgr-snapshot", "manager-1"), repo: repo)
        let archive = try #require(backup.json["archive"] as? String)

        // What a complete restore leaves, and how long it takes.
        let reference = root.appendingPathComponent("reference").path
        let started = Date()
        #expect(try CLIRunner.run(["restore", archive, "--state-dir", reference, "--quiet"]).status == 0)
        let fullTime = Date().timeIntervalSince(started)
        let newTree = try Fixtures.tree(reference, directories: true)
        let oldTree = try Fixtures.tree(Fixtures.folder("single-manager", "manager-1").path, directories: true)

        var outcomes: [String: Int] = [:]
        for round in 0..<14 {
            let parent = root.appendingPathComponent("round-\(round)")
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            let target = parent.appendingPathComponent("swarm")
            #expect(Fixtures.run("/bin/cp", ["-a", Fixtures.folder("single-manager", "manager-1").path, target.path]) == 0)
            let process = Process()
            process.executableURL = CLIRunner.binary
            process.arguments = ["restore", archive, "--state-dir", target.path, "--force", "--quiet"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Spread the kills over the whole run, a little past its usual end.
            usleep(UInt32(Double(round) / 12.0 * fullTime * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let now = try Fixtures.tree(target.path, directories: true)
            let siblings = try FileManager.default.contentsOfDirectory(atPath: parent.path).filter { $0 != "swarm" }
            if now == oldTree {
                outcomes["old", default: 0] += 1
            } else if now == newTree {
                outcomes["new", default: 0] += 1
                // The old state was moved aside, whole.
                let aside = siblings.map { parent.appendingPathComponent($0).path }
                #expect(try aside.contains { try Fixtures.tree($0, directories: true) == oldTree }, "round \(round): old state lost; siblings \(siblings)")
            } else {
                Issue.record("round \(round): the state directory is neither the old nor the new state")
            }
        }
        #expect(outcomes.values.reduce(0, +) == 14)
        // Killed before it could start, the old state must be there.
        #expect(outcomes["old", default: 0] >= 1, "\(outcomes)")
    }
}
