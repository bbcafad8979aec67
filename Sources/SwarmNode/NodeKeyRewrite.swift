import Foundation
import SwarmFormats

/// `swarm-node.key` written again under another KEK (or in the clear), the private key and
/// raft DEKs unchanged (a DEK that was in the clear is marked for rotation): what swarmkit's
/// key writer does when the cluster's manager unlock key changes. Shared by `swarmsafe key rotate|lock|unlock` (on a staged copy) and the
/// embedded manager (in place, after `docker swarm update --autolock` or
/// `docker swarm unlock-key --rotate`).
public enum NodeKeyRewrite {
    /// The file's mode: the key is the node's identity, readable by its owner only.
    public static let mode: mode_t = 0o600

    /// Replaces the key file at `path` in one rename, so a crash leaves the old key or the
    /// new one, never neither. With `keepPrevious`, the file it replaces stays beside it as
    /// `swarm-node.key.swarmsafe-old-<UTC>` (returned); that copy is protected by the *old*
    /// KEK only, or by none.
    @discardableResult
    public static func write(
        _ keys: NodeKeys, to path: String, kek: UnlockKey?, kekVersion: UInt64, fips: Bool,
        keepPrevious: Bool = false, at time: Date = Date()
    ) throws -> String? {
        let block = try NodeKeyFile.makeBlock(
            privateKey: keys.plainPrivateKey, deks: deks(keys, kek: kek), kek: kek?.kek, kekVersion: kekVersion, fips: fips)
        let aside = keepPrevious ? AsideName.unused(for: path, at: time) : nil
        try FileSync.replaceFile(path, with: block.encodedData(), mode: mode, keepingPreviousAt: aside)
        return aside
    }

    /// swarmkit's rule when autolock goes on (`MaybeUpdateKEK`): the raft DEK sat in the clear
    /// until now, so anyone who read the file may hold it; it is marked for rotation, which a
    /// real manager carries out when it next runs. Every other change keeps the mark as it is.
    static func deks(_ keys: NodeKeys, kek: UnlockKey?) -> RaftDEKs {
        var deks = keys.deks
        if !keys.isLocked, kek != nil, deks.current != nil { deks.needsRotation = true }
        return deks
    }

}
