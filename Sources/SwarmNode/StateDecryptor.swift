import Foundation
import SwarmFormats
import SwarmStore

/// `decrypt`: a copy of a manager's state directory whose raft data is in swarmkit's first
/// unencrypted layout, `raft/wal` + `raft/snap`, payloads in the clear.
///
/// It holds what swarm-rafttool's `decrypt` writes (the newest snapshot with its payload
/// decrypted; a WAL created afresh holding that snapshot's record, then every entry after it
/// decrypted and the hard state), laid out as a whole node folder. `wal` + `snap` rather than
/// `wal-v3` + `snap-v3`: swarm-rafttool reads only those when no encrypted folders exist, and
/// swarmkit migrates either back to the encrypted layout at start. The node's other files
/// are copied unchanged (the key file keeps its DEK, encrypted or not).
///
/// The output holds the swarm's secrets in the clear; it is written 0700/0600 like the source.
public struct StateDecryptor: Sendable {
    public let node: LoadedNode

    public init(node: LoadedNode) {
        self.node = node
    }

    public func write(to target: StateDirectory) throws -> StateRewriter.Summary {
        try node.rewriter().write(to: target, mode: .preserve, output: .plaintext)
    }
}
