import SwarmFormats
import SwarmNode

/// How far a captured or archived state was checked.
public enum VerificationLevel: String, Codable, Sendable {
    /// Every WAL record and the snapshot decrypted and decoded, and the log replayed.
    case full
    /// Framing, CRC chain, snapshot CRC and index continuity only: the swarm is autolocked
    /// and no unlock key was given, so the payloads could not be decrypted.
    case structure
}

/// Reads a state directory we hold a copy of (a capture, an unpacked archive) as a manager
/// would, as far as the keys allow.
enum StateCheck {
    /// Fully (every record decrypted, the log replayed) when the node key opens; the
    /// structure only when it is autolocked and no unlock key was given. A wrong key throws.
    static func load(_ directory: StateDirectory, unlockKey: UnlockKey?) throws -> (LoadedNode, VerificationLevel) {
        do {
            return (try NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: true), .full)
        } catch KeyMaterialError.locked(_) where unlockKey == nil {
            return (try NodeLoader.structureOnly(directory), .structure)
        }
    }
}
