import Foundation
import SwarmFormats
import SwarmStateReplacement

/// `swarmsafe key verify`: does this unlock key open this node's key — in a state directory
/// or inside a backup archive? Answered before the 3 a.m. moment that depends on it.
public enum UnlockKeyCheck {
    public enum Outcome: String, Sendable {
        /// The key decrypts the node key (and its data key).
        case opens
        /// The node key is not autolocked: no unlock key is needed.
        case notLocked = "not_locked"
    }

    /// Throws `KeyMaterialError.locked` (no key given) or `.wrongUnlockKey` when it does not open.
    public static func check(stateDirectory: StateDirectory, unlockKey: UnlockKey?) throws -> Outcome {
        try check(keyFile: stateDirectory.nodeKey, unlockKey: unlockKey)
    }

    /// Unpacks the archive into a private temporary folder (removed afterwards) to reach the
    /// node key; the archive is checked against its manifest on the way.
    public static func check(archive: String, key: AgeDecryptionKey?, unlockKey: UnlockKey?, workParent: String? = nil) throws -> Outcome {
        let work = try WorkDirectory(
            in: workParent ?? NSTemporaryDirectory(), name: (archive as NSString).lastPathComponent, purpose: "key")
        let unpacked = try ArchiveUnpacker(archive: archive, key: key).unpack(into: work.path)
        let findings = ManifestCheck.findings(unpacked)
        guard findings.isEmpty else { throw VerifyError.unreadable(path: archive, reason: findings.joined(separator: "; ")) }
        do {
            return try check(keyFile: StateDirectory(path: work.path).nodeKey, unlockKey: unlockKey)
        } catch let error as KeyMaterialError {
            // Name the key by where the operator knows it: inside the archive.
            let inArchive = "\(archive) (\(NodeKeyFile.relativePath))"
            switch error {
            case .locked: throw KeyMaterialError.locked(file: inArchive)
            case .wrongUnlockKey: throw KeyMaterialError.wrongUnlockKey(file: inArchive)
            default: throw error
            }
        }
    }

    static func check(keyFile: URL, unlockKey: UnlockKey?) throws -> Outcome {
        let file = try NodeKeyFile.read(path: keyFile.path)
        guard file.isLocked else { return .notLocked }
        _ = try file.unlock(with: unlockKey)
        return .opens
    }
}
