#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import SwarmArchive
import SwarmFormats

/// One file as it was found in an archive.
public struct ArchivedFile: Sendable, Equatable {
    public let size: Int64
    public let sha256: String
    public let mode: UInt16
}

/// What an archive held, hashed while it was read.
public struct UnpackedArchive: Sendable {
    public var manifest: BackupManifest?
    /// Why the manifest could not be read, when it could not.
    public var manifestProblem: String?
    /// Keyed by path relative to the state directory.
    public var files: [String: ArchivedFile] = [:]
    public var directories: [String: UInt16] = [:]
    public var rootMode: UInt16?
    public var unexpected: [String] = []
}

/// Reads a backup archive from start to end: refuses unsafe entries, hashes every file and,
/// when given a folder, writes the state directory into it. Memory stays flat: each entry is
/// streamed through a fixed buffer.
public struct ArchiveUnpacker {
    /// The archive as the operator named it: a path or `s3://BUCKET/KEY`.
    public let archive: String
    public let key: AgeDecryptionKey?
    public let progress: ProgressHandler?
    private let open: () throws -> any ArchiveByteSource
    static let manifestLimit = 64 << 20

    /// `s3` is needed only when `archive` is an `s3://` address.
    public init(archive: String, key: AgeDecryptionKey?, progress: ProgressHandler? = nil, s3: S3Settings? = nil) {
        self.init(name: archive, key: key, progress: progress) { try ArchiveSources.open(archive, s3: s3) }
    }

    /// Reads the bytes `open` returns, naming them `name` in every message.
    public init(name: String, key: AgeDecryptionKey?, progress: ProgressHandler? = nil, open: @escaping () throws -> any ArchiveByteSource) {
        self.archive = name
        self.key = key
        self.progress = progress
        self.open = open
    }

    /// Reads everything; writes the state directory into `target` (an existing empty folder)
    /// when given. Throws on an unsafe entry, a decryption failure or a damaged stream.
    public func unpack(into target: String?) throws -> UnpackedArchive {
        let input = try ArchiveInput(source: try open(), name: archive, key: key)
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader { buffer in try input.read(into: buffer) }
        } catch let error as ArchiveError {
            throw VerifyError.unreadable(path: archive, reason: "\(error)")
        }
        var result = UnpackedArchive()
        var created: [(String, UInt16)] = []
        let prefix = BackupManifest.stateFolder + "/"
        do {
            while let entry = try reader.nextEntry() {
                let path = try ArchivePathSafety.validate(entry)
                progress?(BackupProgress(phase: .verifying, done: input.bytesRead, total: input.size))
                if path == BackupManifest.entryName, entry.kind == .file {
                    try readManifest(reader, into: &result)
                } else if path == BackupManifest.stateFolder, entry.kind == .directory {
                    result.rootMode = entry.mode
                } else if path.hasPrefix(prefix), path.count > prefix.count {
                    let relative = String(path.dropFirst(prefix.count))
                    if entry.kind == .directory {
                        guard result.directories[relative] == nil else { throw duplicate(relative) }
                        result.directories[relative] = entry.mode
                        if let target {
                            try FileSync.makeDirectory(target + "/" + relative, mode: 0o700)
                            created.append((target + "/" + relative, entry.mode))
                        }
                    } else {
                        guard result.files[relative] == nil else { throw duplicate(relative) }
                        result.files[relative] = try readFile(reader, entry: entry, to: target.map { $0 + "/" + relative })
                    }
                } else {
                    result.unexpected.append(path)
                    try reader.skipData()
                }
            }
        } catch let error as ArchiveError {
            throw VerifyError.unreadable(path: archive, reason: "\(error)")
        }
        if target != nil {
            // Modes last, deepest first: a folder stays writable until everything is in it.
            for (path, mode) in created.reversed() {
                guard chmod(path, mode_t(mode & 0o777)) == 0 else {
                    throw FileAccessError(path: path, operation: "set the mode of", errno: errno)
                }
            }
        }
        return result
    }

    private func duplicate(_ path: String) -> VerifyError {
        VerifyError.unreadable(path: archive, reason: "entry '\(path)' appears twice")
    }

    private func readManifest(_ reader: ArchiveReader, into result: inout UnpackedArchive) throws {
        var data = Data()
        var tooLarge = false
        try reader.readData { chunk in
            if data.count + chunk.count > Self.manifestLimit { tooLarge = true } else { data.append(contentsOf: chunk) }
        }
        if tooLarge {
            result.manifestProblem = "manifest.json is larger than \(Self.manifestLimit) bytes"
        } else if result.manifest != nil || result.manifestProblem != nil {
            result.manifestProblem = "manifest.json appears twice"
        } else {
            do {
                result.manifest = try BackupManifest.decode(data)
            } catch {
                result.manifestProblem = "manifest.json does not decode: \(error)"
            }
        }
    }

    private func readFile(_ reader: ArchiveReader, entry: ArchiveEntryInfo, to destination: String?) throws -> ArchivedFile {
        var hasher = SHA256()
        var size: Int64 = 0
        // Group and others never get more than read access; keys never more than 0600.
        var mode = mode_t(entry.mode & 0o755)
        if let destination, destination.hasSuffix(".key") { mode &= 0o600 }
        let fd = try destination.map { try FileSync.createFile($0, mode: mode) }
        defer { if let fd { FileSync.closeDescriptor(fd) } }
        try reader.readData { chunk in
            hasher.update(bufferPointer: chunk)
            if let fd, let destination { try FileSync.write(fd, chunk, at: Int(size), path: destination) }
            size += Int64(chunk.count)
        }
        if let fd, let destination { try FileSync.sync(fd, path: destination) }
        return ArchivedFile(size: size, sha256: hasher.finalize().hexString, mode: entry.mode)
    }
}
