#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import Logging
import SwarmArchive
import SwarmFormats
import SwarmStateReplacement
import SwarmStore

/// `swarmsafe backup`: copy consistently, check the copy, archive it (compressed, optionally
/// age-encrypted) under a temporary name, sync, rename, then read the archive back and check
/// every file against the manifest before calling it good.
public struct BackupRunner {
    public let request: BackupRequest
    public let logger: Logger
    public let progress: ProgressHandler?
    /// Injected so tests can pin the archive name.
    public let clock: () -> Date

    public init(
        request: BackupRequest, logger: Logger = Logger(label: "swarmsafe.backup"), progress: ProgressHandler? = nil,
        clock: @escaping () -> Date = Date.init
    ) {
        self.request = request
        self.logger = logger
        self.progress = progress
        self.clock = clock
    }

    public func run() throws -> BackupResult {
        let started = clock()
        let destination = try request.destination()
        let pending = try destination.beginOpening(logger: logger)
        defer { pending.release() }

        // Shared: other backups may read the folder too, but a restore (exclusive) must not
        // swap it away while we copy.
        let folderLock = try pending.unlessRefused { () throws -> StateDirectoryLock in
            try request.stateDirectory.validate()
            return try StateDirectoryLock.acquire(request.stateDirectory.path, exclusive: false, for: .backup)
        }
        defer { folderLock.release() }
        for path in WorkDirectory.removeAbandoned(near: request.stateDirectory.path, purpose: "backup", override: request.workDirectory) {
            logger.notice("removed the working copy of a backup that was killed", metadata: ["path": "\(path)"])
        }
        progress?(BackupProgress(phase: .copying, done: 0, total: 0))
        let captured = try pending.unlessRefused {
            try StateCapture(
                source: request.stateDirectory, unlockKey: request.unlockKey, workParent: request.workDirectory,
                logger: logger
            ).capture()
        }
        // Nothing of this run reaches the repository before its lock is held.
        let lock = try pending.lease()
        if captured.attempts > 1 {
            logger.notice("the manager changed its log while we copied; took a consistent copy", metadata: ["attempts": "\(captured.attempts)"])
        }
        if captured.verification == .structure {
            logger.warning("the swarm is autolocked and no unlock key was given: checked the log's structure only, payloads were not decrypted")
        }
        var manifest = try BackupManifestBuilder.manifest(
            for: captured, source: request.stateDirectory, createdAt: started, compression: request.compression,
            encrypted: request.encryption != nil, labels: request.labels)
        guard let clusterID = manifest.clusterID, let nodeID = manifest.nodeID,
            BackupName.isValidID(clusterID), BackupName.isValidID(nodeID)
        else {
            throw BackupError.unidentified(path: request.stateDirectory.path)
        }
        let name = BackupName(
            clusterID: clusterID, nodeID: nodeID, time: started, compression: request.compression.rawValue,
            encrypted: request.encryption != nil)
        let finalPath = destination.finalLocation(of: name)
        guard try !destination.exists(name) else { throw BackupError.archiveExists(path: finalPath) }
        let encryption = request.encryption.map(ReadBackEncryption.init)
        let output = try destination.makeOutput(for: name, lease: lock)

        manifest.files = try writeArchive(captured, manifest: manifest, encryption: encryption?.target, to: output)
        try output.finishWriting()
        let archiveBytes = output.bytesWritten

        // What is on disk is what gets checked: decrypt, decompress and hash it all again,
        // before it gets a name that `list`, `prune` and `restore` take for a good backup.
        progress?(BackupProgress(phase: .checking, done: 0, total: archiveBytes))
        let scanned = try ArchiveUnpacker(name: finalPath, key: encryption?.readBackKey, progress: progress) {
            try output.readBack()
        }.unpack(into: nil)
        let findings = ManifestCheck.findings(scanned)
        guard findings.isEmpty else { throw BackupError.readBackFailed(path: finalPath, findings: findings) }
        try output.publish()
        pending.beginRelease()
        logger.debug("archive written", metadata: ["path": "\(finalPath)", "bytes": "\(archiveBytes)"])
        return BackupResult(
            archivePath: finalPath, name: name, archiveBytes: archiveBytes, manifest: scanned.manifest ?? manifest,
            duration: clock().timeIntervalSince(started))
    }

    /// How the archive is encrypted, and how this run reads it back. For public-key
    /// recipients we hold no identity, by design; a one-time identity, added as one more
    /// recipient and forgotten when the run ends, lets the run read back exactly what it wrote.
    struct ReadBackEncryption {
        let target: AgeEncryptionTarget
        let readBackKey: AgeDecryptionKey

        init(_ requested: AgeEncryptionTarget) {
            switch requested {
            case .passphrase(let passphrase, _):
                target = requested
                readBackKey = .passphrase(passphrase, maxWorkFactor: AgeScrypt.absoluteMaxWorkFactor)
            case .recipients(let recipients):
                let oneTime = AgeX25519Identity()
                target = .recipients(recipients + [oneTime.recipient])
                readBackKey = .identities([oneTime])
            }
        }
    }

    /// Streams the copy into the archive, hashing each file on the way; returns the manifest's
    /// file list. The manifest goes last so it can carry the hashes.
    private func writeArchive(
        _ captured: CapturedState, manifest: BackupManifest, encryption: AgeEncryptionTarget?, to output: any ArchiveOutput
    ) throws -> [BackupManifest.File] {
        let encryptor: AgeEncryptor? = try encryption.map { target in
            try AgeEncryptor(to: target) { data in try data.withUnsafeBytes { try output.write($0) } }
        }
        let writer = try ArchiveWriter(compression: request.compression) { bytes in
            if let encryptor { try encryptor.write(Data(bytes)) } else { try output.write(bytes) }
        }
        let root = captured.workDirectory.path
        let time = manifest.createdDate
        let prefix = BackupManifest.stateFolder + "/"
        try writer.addDirectory(path: BackupManifest.stateFolder, mode: UInt16(try FileSync.mode(of: request.stateDirectory.path)), modificationTime: time)
        for directory in captured.directories {
            try writer.addDirectory(path: prefix + directory, mode: UInt16(try FileSync.mode(of: root + "/" + directory)), modificationTime: time)
        }
        let total = try captured.files.reduce(Int64(0)) { $0 + Int64(try LiveFile(path: root + "/" + $1).size) }
        var done: Int64 = 0
        var entries: [BackupManifest.File] = []
        for relative in captured.files {
            let path = root + "/" + relative
            let file = try LiveFile(path: path)
            let size = try file.size
            let mode = UInt16(try file.mode)
            var hasher = SHA256()
            try writer.addFile(path: prefix + relative, mode: mode, size: Int64(size), modificationTime: time) { write in
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                var offset = 0
                while offset < size {
                    let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: offset) }
                    guard n > 0 else { throw FileAccessError(path: path, operation: "read (file shrank)", errno: EIO) }
                    try buffer.withUnsafeBytes { all in
                        let chunk = UnsafeRawBufferPointer(rebasing: all[0..<n])
                        hasher.update(bufferPointer: chunk)
                        try write(chunk)
                    }
                    offset += n
                    done += Int64(n)
                    progress?(BackupProgress(phase: .archiving, done: done, total: total))
                }
            }
            entries.append(BackupManifest.File(
                path: relative, size: Int64(size), sha256: hasher.finalize().hexString, mode: BackupManifest.octal(mode)))
        }
        var complete = manifest
        complete.files = entries
        try writer.addData(path: BackupManifest.entryName, mode: 0o600, modificationTime: time, data: try complete.encoded())
        try writer.finish()
        try encryptor?.finish()
        return entries
    }
}

public enum BackupError: Error, Sendable, CustomStringConvertible {
    case unidentified(path: String)
    case archiveExists(path: String)
    case readBackFailed(path: String, findings: [String])

    public var description: String {
        switch self {
        case .unidentified(let path):
            "\(path): cannot tell the cluster and node ID for the archive name (no usable node certificate or cluster object)"
        case .archiveExists(let path): "\(path): already exists; not overwritten"
        case .readBackFailed(let path, let findings):
            "\(path): the archive just written does not match its manifest: \(findings.joined(separator: "; "))"
        }
    }
}

extension Digest {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
