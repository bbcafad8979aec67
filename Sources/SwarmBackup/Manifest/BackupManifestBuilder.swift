import Foundation
import SwarmArchive
import SwarmFormats
import SwarmInspection
import SwarmStore

/// Describes a captured state in a manifest (all but the file hashes, added while archiving).
enum BackupManifestBuilder {
    static func manifest(
        for captured: CapturedState, source: StateDirectory, createdAt: Date, compression: ArchiveCompression,
        encrypted: Bool, labels: [String: String]
    ) throws -> BackupManifest {
        let report = captured.node.inspectReport()
        guard let raft = report.raft else { throw StateDirectoryError.worker(path: source.path) }
        var directories = [BackupManifest.Directory]()
        for relative in captured.directories {
            let mode = try FileSync.mode(of: captured.workDirectory.path + "/" + relative)
            directories.append(.init(path: relative, mode: BackupManifest.octal(UInt16(mode))))
        }
        return BackupManifest(
            format: BackupManifest.currentFormat,
            tool: "swarmsafe \(SwarmSafeVersion.string)",
            createdAt: BackupManifest.timestamp(createdAt),
            host: hostName(),
            sourceStateDir: source.path,
            clusterID: report.clusterID,
            nodeID: report.nodeID,
            raft: .init(
                layout: raft.layout, term: raft.term, commit: raft.commit, lastIndex: raft.lastIndex,
                lastTerm: raft.lastTerm, snapshotIndex: raft.snapshotIndex, snapshotTerm: raft.snapshotTerm,
                walSegments: raft.walSegments, snapshotFile: raft.snapshotFile),
            members: raft.members.map { .init(raftID: $0.raftID, nodeID: $0.nodeID, addr: $0.addr) },
            objects: captured.verification == .full ? report.objects : nil,
            encryption: .init(
                algorithm: captured.verification == .full ? report.encryption.algorithm : "unknown (locked)",
                locked: report.encryption.locked || captured.verification == .structure),
            verification: captured.verification,
            captureAttempts: captured.attempts,
            compression: compression.rawValue,
            archiveEncrypted: encrypted,
            directories: directories,
            files: [],
            labels: labels,
            warnings: captured.warnings)
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let name = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: name, as: UTF8.self)
    }
}

extension BackupManifest {
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    var createdDate: Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: createdAt) ?? Date(timeIntervalSince1970: 0)
    }
}
