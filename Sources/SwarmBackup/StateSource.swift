import Foundation
import SwarmFormats
import SwarmNode
import SwarmStateReplacement

/// A manager's state opened for reading, from a state directory or from a backup archive
/// (unpacked into a private temporary folder that lives as long as this object).
public final class OpenedState: @unchecked Sendable {
    public let node: LoadedNode
    /// The folder or archive as the operator named it, for messages.
    public let source: String
    public let isArchive: Bool
    /// Kept so the unpacked files outlive every read of `node`; removed with this object.
    private let work: WorkDirectory?

    init(node: LoadedNode, source: String, work: WorkDirectory?) {
        self.node = node
        self.source = source
        self.isArchive = work != nil
        self.work = work
    }
}

/// Opens "a folder or an archive" the same way for every read-only command (`history`,
/// `diff`): a directory is read in place, never changed; a file is taken for a backup
/// archive, unpacked and checked against its manifest first.
public enum StateSource {
    public static func open(
        _ path: String, key: AgeDecryptionKey?, unlockKey: UnlockKey?, replay: Bool, workParent: String? = nil
    ) throws -> OpenedState {
        switch try FileSync.entry(path) {
        case .missing:
            throw FileAccessError(path: path, operation: "open", errno: ENOENT)
        case .emptyDirectory, .nonEmptyDirectory:
            let node = try NodeLoader(unlockKey: unlockKey).loadManager(StateDirectory(path: path), replay: replay)
            return OpenedState(node: node, source: path, work: nil)
        case .other:
            return try openArchive(path, key: key, unlockKey: unlockKey, replay: replay, workParent: workParent)
        }
    }

    static func openArchive(
        _ archive: String, key: AgeDecryptionKey?, unlockKey: UnlockKey?, replay: Bool, workParent: String?
    ) throws -> OpenedState {
        // Never beside the archive: the backup host must not see the plaintext.
        let work = try WorkDirectory(
            in: workParent ?? NSTemporaryDirectory(), name: (archive as NSString).lastPathComponent, purpose: "read")
        let unpacked = try ArchiveUnpacker(archive: archive, key: key).unpack(into: work.path)
        let findings = ManifestCheck.findings(unpacked)
        guard findings.isEmpty else {
            throw VerifyError.unreadable(path: archive, reason: findings.joined(separator: "; "))
        }
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(StateDirectory(path: work.path), replay: replay)
        return OpenedState(node: node, source: archive, work: work)
    }
}
