import Foundation
import SwarmArchive
import Testing

/// Archives must open with the GNU tar an operator has at hand, and archives made by hand with
/// GNU tar must be readable by the reader.
@Suite struct ArchiveGNUTarInteropTests {
    typealias Support = ArchiveTestSupport

    static func modeString(_ entry: Support.Entry) -> String {
        let kind = entry.kind == .directory ? "d" : "-"
        let letters = Array("rwxrwxrwx")
        return kind + String((0..<9).map { entry.mode & (0o400 >> UInt16($0)) != 0 ? letters[$0] : "-" })
    }

    @Test(arguments: ArchiveCompression.allCases) func gnuTarListsAndExtractsOurArchives(compression: ArchiveCompression) throws {
        if compression == .zstd {
            try #require(FileManager.default.isExecutableFile(atPath: Support.zstd), "zstd missing: run scripts/install-system-packages.sh")
        }
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = directory.appendingPathComponent("backup.\(compression.fileExtension)")
        try Support.archive(Support.sampleEntries, compression: compression).write(to: archive)

        let listing = try Support.run(Support.tar, Support.tarFlag(compression) + ["--numeric-owner", "-tvf", archive.path])
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stderr.isEmpty, "\(listing.stderr)")
        let lines = listing.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == Support.sampleEntries.count, "\(listing.stdout)")
        for (line, entry) in zip(lines, Support.sampleEntries) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            #expect(fields.first == Self.modeString(entry), "\(line)")
            #expect(fields.dropFirst().first == "0/0", "\(line)")
            #expect(fields.dropFirst(2).first == String(entry.data.count), "\(line)")
            #expect(fields.last == entry.path + (entry.kind == .directory ? "/" : ""), "\(line)")
        }

        let target = directory.appendingPathComponent("extracted")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let extraction = try Support.run(Support.tar, Support.tarFlag(compression) + ["-xpf", archive.path, "-C", target.path])
        #expect(extraction.status == 0, "\(extraction.stderr)")
        for entry in Support.sampleEntries {
            let url = target.appendingPathComponent(entry.path)
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.uint16Value == entry.mode, "\(entry.path)")
            if entry.kind == .file {
                #expect(try Data(contentsOf: url) == entry.data, "\(entry.path)")
                #expect((attributes[.modificationDate] as? Date) == entry.modificationTime, "\(entry.path)")
            } else {
                #expect(attributes[.type] as? FileAttributeType == .typeDirectory)
            }
        }
    }

    /// The zstd binary itself must accept the stream (tar --zstd only pipes through it).
    @Test func zstdBinaryVerifiesOurStream() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = directory.appendingPathComponent("backup.tar.zst")
        try Support.archive(Support.sampleEntries, compression: .zstd).write(to: archive)
        let test = try Support.run(Support.zstd, ["-t", "-q", archive.path])
        #expect(test.status == 0, "\(test.stderr)")
    }

    @Test(arguments: ArchiveCompression.allCases) func readsArchivesMadeByGNUTar(compression: ArchiveCompression) throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("swarm")
        let deep = "certificates/" + String(repeating: "nested-directory/", count: 7)  // > 100 bytes: long-name records
        try FileManager.default.createDirectory(at: source.appendingPathComponent(deep), withIntermediateDirectories: true)
        let files: [(String, UInt16, Data)] = [
            ("raft.bin", 0o600, Support.randomBytes(3 * 1024 * 1024 + 5, seed: 11)),
            ("state.json", 0o644, Data("{}".utf8)),
            ("empty", 0o600, Data()),
            (deep + "node.key", 0o400, Support.randomBytes(700, seed: 12)),
        ]
        for (path, mode, data) in files {
            let url = source.appendingPathComponent(path)
            try data.write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: url.path)
        }
        try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: 0o700)], ofItemAtPath: source.path)

        for format in ["gnu", "pax", "ustar"] where !(format == "ustar" && deep.utf8.count > 155) {
            let archive = directory.appendingPathComponent("\(format).\(compression.fileExtension)")
            // "-C swarm ." gives the "./"-prefixed names (and the "./" root entry) tar users produce.
            let made = try Support.run(
                Support.tar, Support.tarFlag(compression) + ["--format=\(format)", "-cf", archive.path, "-C", source.path, "."])
            #expect(made.status == 0, "\(made.stderr)")

            let reader = try ArchiveReader(path: archive.path)
            var found: [String: (UInt16, Data)] = [:]
            var directories: Set<String> = []
            for entry in try Support.readAll(reader) {
                let path = try ArchivePathSafety.validate(ArchiveEntryInfo(
                    path: entry.path, kind: entry.kind, mode: entry.mode, size: Int64(entry.data.count),
                    modificationTime: entry.modificationTime))
                if entry.kind == .directory { directories.insert(path) } else { found[path] = (entry.mode, entry.data) }
            }
            #expect(reader.compression == compression)
            #expect(directories.contains("."), "\(format)")
            #expect(directories.contains(String(deep.dropLast())), "\(format)")
            #expect(found.count == files.count, "\(format): \(found.keys.sorted())")
            for (path, mode, data) in files {
                #expect(found[path]?.0 == mode, "\(format): \(path)")
                #expect(found[path]?.1 == data, "\(format): \(path)")
            }
        }
    }
}
