import Foundation
import SwarmFormats
import SwarmStateReplacement
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct StateDirectoryReplacementTests {
    static let time = DirectorySwapTests.time
    static let oldFiles = DirectorySwapTests.oldFiles
    static let newFiles = DirectorySwapTests.newFiles

    /// A parent with a 0750 `swarm` folder holding the old files.
    static func target() throws -> (parent: String, target: String) {
        let parent = try DirectorySwapTests.parent()
        let target = parent + "/swarm"
        try DirectorySwapTests.makeFolder(target, oldFiles)
        #expect(chmod(target, 0o750) == 0)
        return (parent, target)
    }

    static func entries(_ parent: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: parent).sorted()
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        _ = lstat(path, &info)
        return info.st_mode & 0o7777
    }

    @Test("the change fills a hidden sibling; it is installed with the target's mode and the old folder kept whole aside")
    func installs() throws {
        let (parent, target) = try Self.target()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        var stagedAt = ""
        let outcome = try StateDirectoryReplacement(target: target, use: .recovery, now: Self.time).run { staging in
            stagedAt = staging.path
            // The caller reads the target under the lock and writes only into the staging folder.
            #expect(try DirectorySwapTests.tree(target) == Self.oldFiles)
            #expect(try DirectorySwapTests.tree(staging.path).isEmpty)
            #expect(staging.mode == 0o750)
            try DirectorySwapTests.makeFolder(staging.path, Self.newFiles)
            return .install(42)
        }
        #expect(outcome.value == 42)
        #expect(outcome.previousMovedTo == parent + "/swarm.swarmsafe-old-20261123T154501Z")
        #expect(stagedAt == parent + "/.swarm.swarmsafe-staging-20261123T154501Z-\(getpid())")
        #expect(try DirectorySwapTests.tree(target) == Self.newFiles)
        #expect(Self.mode(target) == 0o750)
        #expect(try DirectorySwapTests.tree(parent + "/swarm.swarmsafe-old-20261123T154501Z") == Self.oldFiles)
        #expect(try Self.entries(parent) == ["swarm", "swarm.swarmsafe-old-20261123T154501Z"])
    }

    @Test("nothing to change: the staging folder goes, the target is untouched and nothing is moved aside")
    func unchanged() throws {
        let (parent, target) = try Self.target()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let outcome = try StateDirectoryReplacement(target: target, use: .repair, now: Self.time).run { staging in
            try DirectorySwapTests.makeFolder(staging.path, ["half": "written"])
            return .unchanged("healthy")
        }
        #expect(outcome.value == "healthy")
        #expect(outcome.previousMovedTo == nil)
        #expect(try Self.entries(parent) == ["swarm"])
        #expect(try DirectorySwapTests.tree(target) == Self.oldFiles)
    }

    struct Refused: Error {}

    @Test("a change that throws leaves the target as it was and no staging folder")
    func changeThrows() throws {
        let (parent, target) = try Self.target()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        #expect(throws: Refused.self) {
            try StateDirectoryReplacement(target: target, use: .keyChange, now: Self.time).run { staging -> StateDirectoryReplacement.Decision<Void> in
                try DirectorySwapTests.makeFolder(staging.path, ["half": "written"])
                throw Refused()
            }
        }
        #expect(try Self.entries(parent) == ["swarm"])
        #expect(try DirectorySwapTests.tree(target) == Self.oldFiles)
    }

    @Test("a folder another swarmsafe holds is refused before the change runs")
    func heldIsRefused() throws {
        let (parent, target) = try Self.target()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let other = try StateDirectoryLock.acquire(target, exclusive: false, for: .backup)
        defer { other.release() }
        var called = false
        #expect {
            try StateDirectoryReplacement(target: target, use: .rewind, now: Self.time).run { _ in
                called = true
                return .install(())
            }
        } throws: { error in
            guard case .held(let path, _, let use)? = error as? ReplacementError else { return false }
            return path == target && use == .rewind
        }
        #expect(!called)
        #expect(try Self.entries(parent) == ["swarm"])
    }

    @Test("a killed run's partial copy is removed once its process is gone; a live one's and complete ones are kept")
    func abandonedStaging() throws {
        let (parent, target) = try Self.target()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let dead = try Self.deadPID()
        let abandoned = parent + "/.swarm.swarmsafe-staging-20261101T000000Z-\(dead)"
        let live = parent + "/.swarm.swarmsafe-staging-20261101T000000Z-\(getppid())"
        let complete = parent + "/.swarm.swarmsafe-restore-20261101T000000Z-\(dead)"
        // Scratch folders a killed change made beside its staging copy (a compaction's, a check's).
        let compaction = parent + "/..swarm.swarmsafe-staging-20261101T000000Z-\(dead).compact-1a2b3c4d"
        let checkCopy = parent + "/..swarm.swarmsafe-staging-20261101T000000Z-\(dead).swarmsafe-check-\(dead)-5e6f7a8b"
        let liveScratch = parent + "/..swarm.swarmsafe-staging-20261101T000000Z-\(getppid()).compact-1a2b3c4d"
        for folder in [abandoned, live, complete, compaction, checkCopy, liveScratch] {
            try DirectorySwapTests.makeFolder(folder, ["state.json": "partial"])
        }
        #expect(StateDirectoryReplacement.abandonedStaging(for: target) == [abandoned, compaction, checkCopy].sorted())

        _ = try StateDirectoryReplacement(target: target, use: .recovery, now: Self.time).run { _ in .unchanged(()) }
        for gone in [abandoned, compaction, checkCopy] { #expect(!DirectorySwapTests.exists(gone)) }
        #expect(try DirectorySwapTests.tree(liveScratch) == ["state.json": "partial"])
        #expect(try DirectorySwapTests.tree(live) == ["state.json": "partial"])
        #expect(try DirectorySwapTests.tree(complete) == ["state.json": "partial"])
        #expect(DirectorySwap.leftovers(for: target) == [complete])
    }

    @Test("a restore fills a missing target (nothing moved aside) with the mode it chose, and refuses one that holds state")
    func missingTarget() throws {
        let parent = try DirectorySwapTests.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        var replacement = StateDirectoryReplacement(target: target, use: .restore, now: Self.time)
        replacement.allowsMissingTarget = true
        replacement.refusalWhenOccupied = { _ in Refused() }
        let outcome = try replacement.run { staging in
            #expect(staging.mode == 0o700)
            try DirectorySwapTests.makeFolder(staging.path, Self.newFiles)
            staging.mode = 0o500
            return .install(())
        }
        #expect(outcome.previousMovedTo == nil)
        #expect(Self.mode(target) == 0o500)
        #expect(chmod(target, 0o700) == 0)
        #expect(try DirectorySwapTests.tree(target) == Self.newFiles)
        #expect(throws: Refused.self) { try replacement.run { _ in .install(()) } }
        #expect(try Self.entries(parent) == ["swarm"])
    }

    /// The pid of a child that has exited and been reaped: no process has it (until reused).
    static func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let pid = process.processIdentifier
        #expect(kill(pid, 0) != 0)
        return pid
    }
}
