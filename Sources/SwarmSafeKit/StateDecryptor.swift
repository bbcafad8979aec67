import Foundation
import SwarmFormats
import SwarmStore

/// `decrypt`: a copy of a manager's state directory whose raft data is in swarmkit's
/// unencrypted layout, `raft/wal-v3` + `raft/snap-v3`, payloads in the clear.
///
/// It holds what swarm-rafttool's `decrypt` writes (the newest snapshot with its payload
/// decrypted; a WAL created afresh holding that snapshot's record, then every entry after it
/// decrypted and the hard state), laid out as a whole node folder: swarmkit migrates these
/// directories back to the encrypted layout at start when no encrypted ones exist. The node's
/// other files are copied unchanged (the key file keeps its DEK, encrypted or not).
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
