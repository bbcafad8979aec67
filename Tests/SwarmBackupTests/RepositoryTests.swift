import Foundation
import SwarmBackup
import Testing

@Suite struct RepositoryTests {
    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-repo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func name(_ seconds: Double, cluster: String = "c1", node: String = "n1", encrypted: Bool = false) -> BackupName {
        BackupName(
            clusterID: cluster, nodeID: node, time: Date(timeIntervalSince1970: 1_795_000_000 + seconds), compression: "zstd",
            encrypted: encrypted)
    }

    static func write(_ path: String, bytes: Int) throws {
        try Data(repeating: 0x61, count: bytes).write(to: URL(fileURLWithPath: path))
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue
    }

    struct Run {
        var status: Int32
        var output: String
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> Run {
        try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) missing")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }

    // MARK: listing

    @Test func listsOnlyBackupFilesWithSizes() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let repository = BackupRepository(path: directory)
        let newer = Self.name(60), older = Self.name(0, encrypted: true), other = Self.name(30, cluster: "c2", node: "n9")
        try Self.write(repository.path(for: newer), bytes: 1234)
        try Self.write(repository.path(for: older), bytes: 0)
        try Self.write(repository.path(for: other), bytes: 77)
        // Things that are not backups.
        try Self.write(repository.temporaryPath(for: Self.name(90)), bytes: 10)
        try Self.write(directory + "/.swarmsafe.lock", bytes: 5)
        try Self.write(directory + "/notes.txt", bytes: 5)
        try Self.write(directory + "/swarm-C1-n1-20261123T154501.123Z.tar.zst", bytes: 5)
        try FileManager.default.createDirectory(atPath: repository.path(for: Self.name(120)), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: repository.path(for: Self.name(150)), withDestinationPath: repository.path(for: newer))

        let listings = try repository.backups()
        #expect(listings.map(\.name) == [older, other, newer])
        #expect(listings.map(\.size) == [0, 77, 1234])
        #expect(listings.map(\.path) == [older, other, newer].map { directory + "/" + $0.fileName })
    }

    @Test func missingRepositoryIsAnError() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = directory + "/nope"
        do {
            _ = try BackupRepository(path: missing).backups()
            Issue.record("listed a missing repository")
        } catch {
            guard case .missing(let path) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == missing)
            #expect(error.description.hasPrefix(missing + ": "))
            #expect(!error.description.contains("\n"))
        }
        try Self.write(missing, bytes: 1)
        #expect(throws: RepositoryError.self) { try BackupRepository(path: missing).backups() }
    }

    @Test func temporaryNameIsHiddenInTheSameDirectoryAndNeverABackup() {
        let repository = BackupRepository(path: "/backups")
        let name = Self.name(0)
        let temporary = repository.temporaryFileName(for: name)
        #expect(temporary == ".\(name.fileName).partial-\(getpid())")
        #expect(repository.temporaryPath(for: name) == "/backups/" + temporary)
        #expect(BackupName(fileName: temporary) == nil)
    }

    // MARK: creating

    @Test func createIfNeededMakesParentsAndAPrivateDirectory() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/a/b/repo"
        let repository = BackupRepository(path: path)
        try repository.createIfNeeded()
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(try Self.mode(path) == 0o700)
        #expect(try repository.backups().isEmpty)
        // Idempotent; an existing directory keeps its mode.
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: path)
        try repository.createIfNeeded()
        #expect(try Self.mode(path) == 0o750)

        let file = directory + "/file"
        try Self.write(file, bytes: 1)
        #expect(throws: RepositoryError.self) { try BackupRepository(path: file).createIfNeeded() }
    }

    // MARK: removing

    @Test func removeUnlinksAndReportsWhatWasAlreadyGone() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let repository = BackupRepository(path: directory)
        let names = (0..<4).map { Self.name(Double($0)) }
        for name in names { try Self.write(repository.path(for: name), bytes: 3) }
        try Self.write(directory + "/keep-me.txt", bytes: 1)
        let gone = Self.name(99)

        let report = try repository.remove([names[0], gone, names[2]])
        #expect(report.removed == [names[0], names[2]])
        #expect(report.alreadyMissing == [gone])
        #expect(try repository.backups().map(\.name) == [names[1], names[3]])
        #expect(FileManager.default.fileExists(atPath: directory + "/keep-me.txt"))

        // Removing the same again: nothing removed, both reported.
        let again = try repository.remove([names[0], names[2]])
        #expect(again.removed.isEmpty && again.alreadyMissing == [names[0], names[2]])
        #expect(throws: RepositoryError.self) { try BackupRepository(path: directory + "/missing").remove([names[1]]) }
    }

    // MARK: locking

    @Test func secondLockFailsNamingTheHolderUntilReleased() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try BackupRepository(path: directory).lock()
        #expect(first.isHeld)
        #expect(first.path == directory + "/.swarmsafe.lock")
        #expect(try Self.mode(first.path) == 0o600)
        let contents = try String(contentsOfFile: first.path, encoding: .utf8)
        #expect(contents.hasPrefix("pid \(getpid()) since 20"))

        do {
            _ = try RepositoryLock(repository: directory)
            Issue.record("a second lock was granted while the first is held")
        } catch {
            guard case .locked(let path, let holder) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == directory)
            #expect(holder?.hasPrefix("pid \(getpid()) since ") == true)
            let description = error.description
            #expect(description.hasPrefix("\(directory): repository is locked by another swarmsafe run (pid \(getpid()) since 20"))
            #expect(description.hasSuffix("Z)"))
            #expect(!description.contains("\n"))
        }

        first.release()
        #expect(!first.isHeld)
        first.release()  // idempotent
        let second = try RepositoryLock(repository: directory)
        #expect(second.isHeld)
        // The lock file is never deleted.
        second.release()
        #expect(FileManager.default.fileExists(atPath: directory + "/.swarmsafe.lock"))
    }

    @Test func lockIsReleasedWhenTheObjectGoes() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func holdBriefly() throws {
            let lock = try RepositoryLock(repository: directory)
            #expect(lock.isHeld)
            #expect(throws: RepositoryError.self) { try RepositoryLock(repository: directory) }
        }
        try holdBriefly()
        let again = try RepositoryLock(repository: directory)
        #expect(again.isHeld)
    }

    @Test func lockExcludesOtherProcesses() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lockFile = directory + "/.swarmsafe.lock"
        let lock = try RepositoryLock(repository: directory)
        let whileHeld = try Self.run("/usr/bin/flock", ["-n", lockFile, "true"])
        #expect(whileHeld.status == 1, "\(whileHeld.output)")
        lock.release()
        let afterRelease = try Self.run("/usr/bin/flock", ["-n", lockFile, "true"])
        #expect(afterRelease.status == 0, "\(afterRelease.output)")

        // And the other way round: a lock another process holds is refused here. The shell
        // takes the lock on descriptor 9, says so, and becomes `sleep`, which keeps holding it
        // until it is terminated.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #"exec 9>>"$1" && /usr/bin/flock -w 20 9 && echo locked && exec sleep 30"#, "sh", lockFile,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let said = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        try #require(said == "locked\n", "child: \(said)")
        do {
            _ = try RepositoryLock(repository: directory)
            Issue.record("locked a repository another process holds")
        } catch {
            guard case .locked(_, let holder) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            // The other process wrote nothing; the message was written by our last holder.
            #expect(holder?.hasPrefix("pid \(getpid()) since ") == true)
        }
    }

    @Test func lockOnAMissingRepositoryFails() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: RepositoryError.self) { try RepositoryLock(repository: directory + "/missing") }
        do {
            _ = try RepositoryLock(repository: directory + "/missing")
        } catch {
            guard case .missing(let path) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == directory + "/missing")
        }
    }
}
