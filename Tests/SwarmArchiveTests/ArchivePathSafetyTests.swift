import Foundation
import SwarmArchive
import Testing

@Suite struct ArchivePathSafetyTests {
    typealias Support = ArchiveTestSupport

    static func entry(_ path: String, _ kind: ArchiveEntryInfo.Kind = .file, target: String? = nil) -> ArchiveEntryInfo {
        ArchiveEntryInfo(path: path, kind: kind, mode: 0o644, size: 0, modificationTime: Support.time, linkTarget: target)
    }

    static func refusal(_ entry: ArchiveEntryInfo) -> ArchiveError? {
        do {
            try ArchivePathSafety.validate(entry)
            return nil
        } catch {
            return error
        }
    }

    @Test func normalizesHarmlessSpellings() throws {
        let cases: [(String, String)] = [
            ("a", "a"), ("./a", "a"), ("a/", "a"), ("./a//b/./c/", "a/b/c"), ("././a", "a"),
            (".", "."), ("./", "."), ("a..b/..c/d..", "a..b/..c/d.."), ("...", "..."),
        ]
        for (raw, normalized) in cases {
            #expect(try ArchivePathSafety.normalizedPath(raw) == normalized, "\(raw)")
        }
        #expect(try ArchivePathSafety.validate(Self.entry("./swarm/raft/", .directory)) == "swarm/raft")
        #expect(try ArchivePathSafety.validate(Self.entry("./", .directory)) == ".")
    }

    @Test func refusesEscapingPathsWithTheReason() {
        let cases: [(String, String)] = [
            ("", "empty path"),
            ("/etc/passwd", "absolute path"),
            ("//etc/passwd", "absolute path"),
            ("../x", "path leaves the extraction folder"),
            ("..", "path leaves the extraction folder"),
            ("a/../../b", "path leaves the extraction folder"),
            ("a/..", "path leaves the extraction folder"),
            ("./../x", "path leaves the extraction folder"),
            ("a\u{0}b", "path contains a NUL byte"),
        ]
        for (path, reason) in cases {
            #expect(Self.refusal(Self.entry(path)) == .unsafeEntry(path: path, reason: reason), "\(path)")
        }
        #expect(Self.refusal(Self.entry("./", .file)) != nil)
    }

    @Test func refusesEverythingButFilesAndDirectories() {
        let cases: [(ArchiveEntryInfo, String)] = [
            (Self.entry("link", .symlink, target: "/etc/passwd"), "archive entry 'link': symbolic link to '/etc/passwd' is not allowed"),
            (Self.entry("hard", .hardlink, target: "safe.txt"), "archive entry 'hard': hard link to 'safe.txt' is not allowed"),
            (Self.entry("dev", .other("character device")), "archive entry 'dev': character device is not allowed"),
            (Self.entry("pipe", .other("fifo")), "archive entry 'pipe': fifo is not allowed"),
        ]
        for (entry, message) in cases {
            #expect(Self.refusal(entry)?.description == message)
        }
    }

    @Test func descriptionsStayOnOneLine() {
        let error = ArchiveError.unsafeEntry(path: "../evil\nname'\u{1B}[31m", reason: "path leaves the extraction folder")
        #expect(error.description == #"archive entry '../evil\u{a}name\'\u{1b}[31m': path leaves the extraction folder"#)
        #expect(ArchiveError.libarchive(operation: "x", message: "a\nb").description == "archive: x failed: a b")
    }

    /// Hostile archives as an attacker would make them, read through the real reader:
    /// each bad entry must surface with its raw path and be refused by `validate`.
    /// python3 can write entries GNU tar cannot without root (devices).
    @Test(arguments: ["w:gz", "w:", "w:xz"])
    func refusesHostileEntriesFromPythonTarfile(mode: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Support.python), "no \(Support.python): run scripts/install-system-packages.sh")
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = directory.appendingPathComponent("hostile.tar")
        let script = #"""
        import io, sys, tarfile
        def add(tar, name, kind=tarfile.REGTYPE, data=b"", link=""):
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.size, info.mode = kind, link, len(data), 0o644
            tar.addfile(info, io.BytesIO(data) if data else None)
        with tarfile.open(sys.argv[1], sys.argv[2], format=tarfile.PAX_FORMAT) as tar:
            add(tar, "safe.txt", data=b"fine")
            add(tar, "../x", data=b"escape")
            add(tar, "/abs", data=b"absolute")
            add(tar, "a/../../b", data=b"sneaky")
            add(tar, "link", tarfile.SYMTYPE, link="/etc/passwd")
            add(tar, "hard", tarfile.LNKTYPE, link="safe.txt")
            add(tar, "dev", tarfile.CHRTYPE)
            add(tar, "pipe", tarfile.FIFOTYPE)
            add(tar, "block", tarfile.BLKTYPE)
        """#
        let made = try Support.run(Support.python, ["-c", script, archive.path, mode])
        try #require(made.status == 0, "\(made.stderr)")

        if mode == "w:xz" {
            // Only zstd, gzip and plain tar are accepted, even though libarchive could read xz.
            #expect(throws: ArchiveError.libarchive(operation: "opening the input", message: "Unrecognized archive format")) {
                _ = try Support.readAll(ArchiveReader(path: archive.path))
            }
            return
        }
        let reader = try ArchiveReader(path: archive.path)
        var outcomes: [String: String] = [:]
        while let entry = try reader.nextEntry() {
            do {
                try ArchivePathSafety.validate(entry)
                outcomes[entry.path] = "ok"
            } catch {
                #expect(error.description.contains("'\(entry.path)'"), "\(error)")
                #expect(!error.description.contains("\n"))
                outcomes[entry.path] = error.description
            }
        }
        #expect(outcomes["safe.txt"] == "ok")
        #expect(outcomes["../x"] == "archive entry '../x': path leaves the extraction folder")
        #expect(outcomes["/abs"] == "archive entry '/abs': absolute path")
        #expect(outcomes["a/../../b"] == "archive entry 'a/../../b': path leaves the extraction folder")
        #expect(outcomes["link"] == "archive entry 'link': symbolic link to '/etc/passwd' is not allowed")
        #expect(outcomes["hard"] == "archive entry 'hard': hard link to 'safe.txt' is not allowed")
        #expect(outcomes["dev"] == "archive entry 'dev': character device is not allowed")
        #expect(outcomes["pipe"] == "archive entry 'pipe': fifo is not allowed")
        #expect(outcomes["block"] == "archive entry 'block': block device is not allowed")
        #expect(outcomes.count == 9)
    }

    @Test func refusesHostileEntriesFromGNUTar() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = directory.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try Data("fine".utf8).write(to: tree.appendingPathComponent("safe.txt"))
        try FileManager.default.createSymbolicLink(atPath: tree.appendingPathComponent("link").path, withDestinationPath: "/etc/passwd")
        try FileManager.default.linkItem(at: tree.appendingPathComponent("safe.txt"), to: tree.appendingPathComponent("hard"))
        #expect(try Support.run("/usr/bin/mkfifo", [tree.appendingPathComponent("pipe").path]).status == 0)
        let archive = directory.appendingPathComponent("hostile.tar.gz").path
        let plain = directory.appendingPathComponent("hostile.tar").path
        let steps: [[String]] = [
            ["-cf", plain, "-C", tree.path, "safe.txt", "link", "hard", "pipe"],
            // -P keeps what --transform makes of the name, leading "../" included.
            ["-rPf", plain, "-C", tree.path, "--transform", "s,^,../,", "safe.txt"],
            ["-rPf", plain, tree.appendingPathComponent("safe.txt").path],
        ]
        for arguments in steps {
            let step = try Support.run(Support.tar, arguments)
            try #require(step.status == 0, "\(arguments): \(step.stderr)")
        }
        #expect(try Support.run("/usr/bin/gzip", ["-k", plain]).status == 0)
        #expect(FileManager.default.fileExists(atPath: archive))

        let reader = try ArchiveReader(path: archive)
        var outcomes: [String: String] = [:]
        while let entry = try reader.nextEntry() {
            outcomes[entry.path] = Self.refusal(entry)?.description ?? "ok"
        }
        let absolute = tree.appendingPathComponent("safe.txt").path
        #expect(outcomes == [
            "safe.txt": "ok",
            "link": "archive entry 'link': symbolic link to '/etc/passwd' is not allowed",
            "hard": "archive entry 'hard': hard link to 'safe.txt' is not allowed",
            "pipe": "archive entry 'pipe': fifo is not allowed",
            "../safe.txt": "archive entry '../safe.txt': path leaves the extraction folder",
            absolute: "archive entry '\(absolute)': absolute path",
        ])
    }

    @Test func refusesAbsolutePathsFromGNUTar() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("secret")
        try Data("x".utf8).write(to: file)
        let archive = directory.appendingPathComponent("absolute.tar.gz")
        let made = try Support.run(Support.tar, ["-czPf", archive.path, file.path])
        try #require(made.status == 0, "\(made.stderr)")
        let reader = try ArchiveReader(path: archive.path)
        let entry = try #require(try reader.nextEntry())
        #expect(entry.path == file.path)
        #expect(Self.refusal(entry) == .unsafeEntry(path: file.path, reason: "absolute path"))
    }
}
