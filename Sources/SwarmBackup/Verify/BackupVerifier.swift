import Foundation
import Logging
import S3Client
import SwarmFormats
import SwarmInspection
import SwarmNode
import SwarmStateReplacement
import SwarmStore

/// `swarmsafe verify`: reads a backup archive end to end and says whether a restore from it
/// would work. Every problem is a finding, one line each; none means the archive is good.
public struct BackupVerifier {
    public let archive: String
    public let key: AgeDecryptionKey?
    public let unlockKey: UnlockKey?
    public let deep: Bool
    public let workParent: String?
    public let progress: ProgressHandler?
    /// How to reach an `s3://` archive.
    public let s3: S3Settings?

    public init(
        archive: String, key: AgeDecryptionKey?, unlockKey: UnlockKey?, deep: Bool, workParent: String? = nil,
        progress: ProgressHandler? = nil, s3: S3Settings? = nil
    ) {
        self.archive = S3Location.isS3(archive) ? archive : URL(fileURLWithPath: archive).standardizedFileURL.path
        self.s3 = s3
        self.key = key
        self.unlockKey = unlockKey
        self.deep = deep
        self.workParent = workParent
        self.progress = progress
    }

    /// Unpacks into a private temporary folder (never beside the archive: the backup host
    /// must not see the plaintext), checks it, and removes it.
    public func verify() throws -> VerifyReport {
        let work = try WorkDirectory(
            in: workParent ?? NSTemporaryDirectory(), name: Self.lastComponent(of: archive), purpose: "verify")
        return try verify(unpackingInto: work.path)
    }

    /// Unpacks into `target` (an existing empty folder) and checks what is there; restore
    /// uses this on its staging folder.
    public func verify(unpackingInto target: String) throws -> VerifyReport {
        let unpacked = try ArchiveUnpacker(archive: archive, key: key, progress: progress, s3: s3).unpack(into: target)
        var report = VerifyReport(archive: archive, manifest: unpacked.manifest)
        report.rootMode = unpacked.rootMode
        report.findings = ManifestCheck.findings(unpacked)
        guard report.findings.isEmpty, let manifest = unpacked.manifest else { return report }
        progress?(BackupProgress(phase: .checking, done: 0, total: 0))
        let directory = StateDirectory(path: target)
        let node: LoadedNode
        do {
            (node, report.verification) = try StateCheck.load(directory, unlockKey: unlockKey)
        } catch let error as KeyMaterialError {
            // A key that does not open the archived node key is the operator's to fix (exit 3),
            // not a finding about the archive.
            throw error
        } catch {
            report.findings.append("\(Self.relative(error, to: target))")
            return report
        }
        if report.verification == .structure {
            report.locked = true
        }
        report.findings += Self.compare(node, with: manifest, level: report.verification)
        if deep, let store = node.cluster?.store {
            report.deepChecked = true
            let references = try ReferenceCheck.check(store)
            report.findings += references.findings
            report.information = references.information
        }
        report.warnings = node.warnings.map { Self.relative($0, to: target) }
        return report
    }

    /// The archive's file name, for the names of private working folders.
    static func lastComponent(of archive: String) -> String {
        S3Location.isS3(archive) ? (archive.split(separator: "/").last.map(String.init) ?? "archive") : (archive as NSString).lastPathComponent
    }

    /// What the manifest promises against what the archived state actually replays to.
    static func compare(_ node: LoadedNode, with manifest: BackupManifest, level: VerificationLevel) -> [String] {
        let report = node.inspectReport()
        var findings: [String] = []
        func expect<T: Equatable>(_ what: String, _ found: T?, _ promised: T?) {
            if found != promised {
                findings.append("\(what): the archived state has \(found.map { "\($0)" } ?? "none"), the manifest says \(promised.map { "\($0)" } ?? "none")")
            }
        }
        expect("cluster ID", report.clusterID, manifest.clusterID)
        expect("node ID", report.nodeID, manifest.nodeID)
        if let raft = report.raft {
            expect("raft last index", raft.lastIndex, manifest.raft.lastIndex)
            expect("raft term", raft.term, manifest.raft.term)
            expect("raft commit", raft.commit, manifest.raft.commit)
            expect("raft snapshot index", raft.snapshotIndex, manifest.raft.snapshotIndex)
        } else {
            findings.append("the archived state has no raft log")
        }
        if level == .full, let promised = manifest.objects, let found = report.objects {
            for kind in Set(promised.keys).union(found.keys).sorted() where found[kind] ?? 0 != promised[kind] ?? 0 {
                findings.append("\(kind): \(found[kind] ?? 0) after replay, the manifest says \(promised[kind] ?? 0)")
            }
        }
        return findings
    }

    /// Messages name files in the temporary folder; the operator knows them by archive path.
    static func relative(_ message: Any, to folder: String) -> String {
        "\(message)".replacingOccurrences(of: folder + "/", with: "")
    }
}

/// `verify --json`. Field names are a contract.
public struct VerifyReport: Encodable, Sendable {
    public var archive: String
    public var ok: Bool { findings.isEmpty && !locked }
    public var verification: VerificationLevel = .structure
    /// Autolocked and no unlock key: payloads were not decrypted.
    public var locked = false
    public var deepChecked = false
    /// The archived state directory's own mode.
    public var rootMode: UInt16?
    public var clusterID: String?
    public var nodeID: String?
    public var createdAt: String?
    public var raftLastIndex: UInt64?
    public var objects: [String: Int]?
    public var findings: [String] = []
    public var warnings: [String] = []
    /// What a deep check found that swarmkit cleans up by itself (see `ReferenceCheck`):
    /// counted, one line per kind; never a reason for `ok` to be false.
    public var information: [String] = []

    init(archive: String, manifest: BackupManifest?) {
        self.archive = archive
        clusterID = manifest?.clusterID
        nodeID = manifest?.nodeID
        createdAt = manifest?.createdAt
        raftLastIndex = manifest?.raft.lastIndex
        objects = manifest?.objects
    }

    enum CodingKeys: String, CodingKey {
        case archive, ok, verification, locked, objects, findings, warnings, information
        case deepChecked = "deep_checked"
        case clusterID = "cluster_id"
        case nodeID = "node_id"
        case createdAt = "created_at"
        case raftLastIndex = "raft_last_index"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(archive, forKey: .archive)
        try c.encode(ok, forKey: .ok)
        try c.encode(verification, forKey: .verification)
        try c.encode(locked, forKey: .locked)
        try c.encode(deepChecked, forKey: .deepChecked)
        try c.encode(clusterID, forKey: .clusterID)
        try c.encode(nodeID, forKey: .nodeID)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(raftLastIndex, forKey: .raftLastIndex)
        try c.encode(objects, forKey: .objects)
        try c.encode(findings, forKey: .findings)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(information, forKey: .information)
    }
}
