import Foundation
import SwarmStateReplacement
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct DirectorySwapTests {
    /// A fresh parent folder for one test.
    static func parent() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-swap-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// A folder with the given files (relative path → contents), sub-folders created as needed.
    static func makeFolder(_ path: String, _ files: [String: String]) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (relative, text) in files {
            let file = path + "/" + relative
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        }
    }

    /// Every regular file under a folder with its contents.
    static func tree(_ root: String) throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
            if !isDirectory.boolValue {
                files[relative] = String(decoding: try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)), as: UTF8.self)
            }
        }
        return files
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static let oldFiles = ["state.json": "old state", "raft/wal-v3-encrypted/0000000000000000-0000000000000000.wal": "old wal"]
    static let newFiles = ["state.json": "new state", "raft/wal-v3-encrypted/0000000000000000-0000000000000001.wal": "new wal", "certificates/swarm-node.crt": "cert"]

    static let time = Date(timeIntervalSince1970: 1_795_448_701)  // 2026-11-23T15:45:01Z

    // MARK: install

    @Test("with no target, the staged folder is renamed into place and nothing is moved aside")
    func installsWhereNothingWas() throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        let staged = DirectorySwap.stagingName(for: target, at: Self.time)
        try Self.makeFolder(staged, Self.newFiles)

        let aside = try DirectorySwap.install(staged: staged, at: target) { DirectorySwap.oldName(for: $0, at: Self.time) }

        #expect(aside == nil)
        #expect(try Self.tree(target) == Self.newFiles)
        #expect(!Self.exists(staged))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["swarm"])
    }

    @Test("an empty target directory holds no state: it is replaced and nothing is moved aside")
    func replacesAnEmptyTarget() throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        let staged = DirectorySwap.stagingName(for: target, at: Self.time)
        try Self.makeFolder(staged, Self.newFiles)

        let aside = try DirectorySwap.install(staged: staged, at: target) { DirectorySwap.oldName(for: $0, at: Self.time) }

        #expect(aside == nil)
        #expect(try Self.tree(target) == Self.newFiles)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["swarm"])
    }

    @Test("an existing target is swapped out whole: old content intact at the aside path, new content at the target")
    func swapsAnExistingTarget() throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        try Self.makeFolder(target, Self.oldFiles)
        var before = stat()
        #expect(stat(target, &before) == 0)
        let staged = DirectorySwap.stagingName(for: target, at: Self.time)
        try Self.makeFolder(staged, Self.newFiles)

        let aside = try DirectorySwap.install(staged: staged, at: target) { DirectorySwap.oldName(for: $0, at: Self.time) }

        #expect(aside == parent + "/swarm.swarmsafe-old-20261123T154501Z")
        let moved = try #require(aside)
        #expect(try Self.tree(moved) == Self.oldFiles)
        // The very folder that was there (same inode), not a copy.
        var after = stat()
        #expect(stat(moved, &after) == 0)
        #expect(after.st_ino == before.st_ino)
        #expect(try Self.tree(target) == Self.newFiles)
        #expect(!Self.exists(staged))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).sorted() == ["swarm", "swarm.swarmsafe-old-20261123T154501Z"])
    }

    @Test("when the aside name is taken, -1, -2, … are tried; the existing folders are left alone")
    func asideNameCollisionGetsASuffix() throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        let asideName = DirectorySwap.oldName(for: target, at: Self.time)
        try Self.makeFolder(target, Self.oldFiles)
        try Self.makeFolder(asideName, ["marker": "first"])
        try Self.makeFolder(asideName + "-1", [:])  // empty: must not be replaced either
        let staged = DirectorySwap.stagingName(for: target, at: Self.time)
        try Self.makeFolder(staged, Self.newFiles)

        let aside = try DirectorySwap.install(staged: staged, at: target) { _ in asideName }

        #expect(aside == asideName + "-2")
        #expect(try Self.tree(asideName + "-2") == Self.oldFiles)
        #expect(try Self.tree(asideName) == ["marker": "first"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: asideName + "-1").isEmpty)
        #expect(try Self.tree(target) == Self.newFiles)
        #expect(!Self.exists(staged))
    }

    @Test("without RENAME_EXCHANGE (EINVAL, ENOSYS) the fallback still ends with old aside and new in place", arguments: [EINVAL, ENOSYS])
    func fallbackWithoutExchange(code: Int32) throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        try Self.makeFolder(target, Self.oldFiles)
        let staged = DirectorySwap.stagingName(for: target, at: Self.time)
        try Self.makeFolder(staged, Self.newFiles)
        var exchangeCalls = 0

        let aside = try DirectorySwap.install(
            staged: staged, at: target, asideName: { DirectorySwap.oldName(for: $0, at: Self.time) },
            exchange: { _, _ in
                exchangeCalls += 1
                return code
            })

        #expect(exchangeCalls == 1)
        #expect(aside == DirectorySwap.oldName(for: target, at: Self.time))
        #expect(try Self.tree(try #require(aside)) == Self.oldFiles)
        #expect(try Self.tree(target) == Self.newFiles)
        #expect(!Self.exists(staged))
    }

    @Test("an exchange that fails otherwise (EXDEV) changes nothing and says so")
    func failedExchangeChangesNothing() throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        try Self.makeFolder(target, Self.oldFiles)
        let staged = DirectorySwap.stagingName(for: target, at: Self.time)
        try Self.makeFolder(staged, Self.newFiles)

        #expect {
            _ = try DirectorySwap.install(
                staged: staged, at: target, asideName: { DirectorySwap.oldName(for: $0, at: Self.time) },
                exchange: { _, _ in EXDEV })
        } throws: { error in
            guard case .swapFailed(let path, let reason) = error as? ReplacementError else { return false }
            return path == target && reason.contains("nothing was changed")
        }
        #expect(try Self.tree(target) == Self.oldFiles)
        #expect(try Self.tree(staged) == Self.newFiles)
        #expect(!Self.exists(DirectorySwap.oldName(for: target, at: Self.time)))
    }

    @Test("a target that is a file is refused; both are left as they were")
    func refusesAFileTarget() throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        try Data("a file".utf8).write(to: URL(fileURLWithPath: target))
        let staged = DirectorySwap.stagingName(for: target, at: Self.time)
        try Self.makeFolder(staged, Self.newFiles)

        #expect {
            _ = try DirectorySwap.install(staged: staged, at: target) { DirectorySwap.oldName(for: $0, at: Self.time) }
        } throws: { error in
            guard case .swapFailed(let path, _) = error as? ReplacementError else { return false }
            return path == target
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data("a file".utf8))
        #expect(try Self.tree(staged) == Self.newFiles)
    }

    @Test("a missing staged folder is an error and the target is untouched")
    func missingStagedFolder() throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        try Self.makeFolder(target, Self.oldFiles)

        #expect(throws: ReplacementError.self) {
            _ = try DirectorySwap.install(staged: parent + "/.swarm.swarmsafe-restore-x", at: target) { $0 + ".old" }
        }
        #expect(try Self.tree(target) == Self.oldFiles)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["swarm"])
    }

    @Test("the exchange primitive swaps two folders atomically (renameat2 RENAME_EXCHANGE is reachable)")
    func exchangeSwapsTwoFolders() throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try Self.makeFolder(parent + "/a", ["x": "from a"])
        try Self.makeFolder(parent + "/b", ["y": "from b"])

        #expect(DirectorySwap.exchange(parent + "/a", parent + "/b") == 0)

        #expect(try Self.tree(parent + "/a") == ["y": "from b"])
        #expect(try Self.tree(parent + "/b") == ["x": "from a"])
        #expect(DirectorySwap.exchange(parent + "/a", parent + "/missing") == ENOENT)
    }

    // MARK: names

    @Test func oldNameIsBesideTheTargetWithUTCSeconds() {
        #expect(DirectorySwap.oldName(for: "/var/lib/docker/swarm", at: Self.time) == "/var/lib/docker/swarm.swarmsafe-old-20261123T154501Z")
        #expect(DirectorySwap.oldName(for: "/var/lib/docker/swarm/", at: Self.time) == "/var/lib/docker/swarm.swarmsafe-old-20261123T154501Z")
        #expect(
            DirectorySwap.oldName(for: "/s", at: Date(timeIntervalSince1970: 946_684_799.999))
                == "/s.swarmsafe-old-19991231T235959Z")
    }

    @Test func stagingNameIsAHiddenSiblingWithTimeAndPid() {
        #expect(
            DirectorySwap.stagingName(for: "/var/lib/docker/swarm", at: Self.time)
                == "/var/lib/docker/.swarm.swarmsafe-restore-20261123T154501Z-\(getpid())")
        #expect(DirectorySwap.stagingName(for: "/swarm", at: Self.time) == "/.swarm.swarmsafe-restore-20261123T154501Z-\(getpid())")
    }

    @Test("leftovers lists only this target's staging folders, full paths, sorted")
    func leftoversListsOnlyStagingFolders() throws {
        let parent = try Self.parent()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/swarm"
        #expect(DirectorySwap.leftovers(for: target).isEmpty)
        for name in [
            "swarm", ".swarm.swarmsafe-restore-20261123T154501Z-77", ".swarm.swarmsafe-restore-20251123T000000Z-12",
            "swarm.swarmsafe-old-20261123T154501Z", ".swarm2.swarmsafe-restore-20261123T154501Z-1",
            ".swarm.swarmsafe-1a2b3c4d", ".swarm.swarmsafe-restore-",
        ] {
            try FileManager.default.createDirectory(atPath: parent + "/" + name, withIntermediateDirectories: false)
        }

        #expect(
            DirectorySwap.leftovers(for: target) == [
                parent + "/.swarm.swarmsafe-restore-20251123T000000Z-12", parent + "/.swarm.swarmsafe-restore-20261123T154501Z-77",
            ])
        #expect(DirectorySwap.leftovers(for: parent + "/missing/swarm").isEmpty)
    }

    // MARK: errors

    @Test("error descriptions are one line naming the path; nothing suggests deletion")
    func errorDescriptions() {
        let path = "/var/lib/docker/swarm"
        let errors: [ReplacementError] = [
            .held(path: path, holders: [.raftWriter(segment: "0000000000000000-0000000000000000.wal", pid: 812)], use: .restore),
            .held(path: path, holders: [.swarmsafe(pid: 77)], use: .restore),
            .swapFailed(path: path, reason: "EXDEV"),
            .held(path: path, holders: [.raftWriter(segment: "0000000000000000-0000000000000000.wal", pid: 812)], use: .keyChange),
            .held(path: path, holders: [.swarmsafe(pid: 77)], use: .backup),
        ]
        for error in errors {
            #expect(error.description.hasPrefix(path + ": "))
            #expect(!error.description.contains("\n"))
        }
        #expect(
            errors[0].description
                == "/var/lib/docker/swarm: in use by a running swarm manager (WAL segment 0000000000000000-0000000000000000.wal is locked by pid 812); stop Docker (systemctl stop docker) before restoring"
        )
        #expect(errors[1].description.contains("in use by another swarmsafe process (pid 77)"))
        #expect(errors[2].description == "/var/lib/docker/swarm: cannot put the new state directory in place: EXDEV")
        // Each refusal names the operation it stopped, not always "restoring".
        #expect(
            errors[3].description
                == "/var/lib/docker/swarm: in use by a running swarm manager (WAL segment 0000000000000000-0000000000000000.wal is locked by pid 812); stop Docker (systemctl stop docker) before changing the unlock key"
        )
        #expect(errors[4].description.hasSuffix("in use by another swarmsafe process (pid 77); wait for it to finish before backing up"))
        for use in StateDirectoryUse.allCases {
            let message = ReplacementError.held(path: path, holders: [.swarmsafe(pid: nil)], use: use).description
            #expect(message.hasSuffix("wait for it to finish before \(use.inProgress)"))
            #expect(use == .restore || !message.contains("restoring"))
        }
        let both = ReplacementError.held(
            path: path,
            holders: [.raftWriter(segment: "a.wal", pid: nil), .raftWriter(segment: "b.wal", pid: nil), .swarmsafe(pid: nil)],
            use: .restore)
        #expect(both.description.contains("WAL segment a.wal and 1 more are locked"))
        #expect(both.description.contains("also in use by another swarmsafe process"))
        #expect(both.description.contains("systemctl stop docker"))
    }
}
