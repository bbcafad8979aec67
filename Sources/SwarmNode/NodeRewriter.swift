import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore

extension LoadedNode {
    /// Whether the cluster encrypts raft data with Fernet: swarmkit's FIPS mode, chosen at
    /// `swarm init` and visible in the cluster ID (`FIPS.…`), which every node certificate
    /// carries as its organization. When the certificate cannot be read, the algorithm the
    /// data is stored with decides.
    public var isFIPS: Bool {
        if let clusterID = certificates?.node.clusterID { return clusterID.hasPrefix("FIPS.") }
        return raftAlgorithm == .fernetAes128Cbc
    }

    /// The cipher this node's raft data is written with: its DEK (the pending one first, as
    /// swarmkit does during a rotation) and the cluster's algorithm.
    public func raftCipher() throws -> RaftCipher {
        guard let cipher = keys?.raftCipher(fips: isFIPS) else {
            throw RewriteError.noEncryptionKey(path: directory.nodeKey.path)
        }
        return cipher
    }

    /// A rewriter for this manager's state. `.compact` needs the node loaded with replay.
    public func rewriter() throws -> StateRewriter {
        guard let raft else { throw StateDirectoryError.worker(path: directory.path) }
        return StateRewriter(source: directory, log: raft, cluster: cluster)
    }

    /// Writes a new state directory for this manager at `target`, raft data encrypted as the
    /// cluster encrypts it (see `StateRewriter`).
    public func rewrite(to target: StateDirectory, mode: StateRewriter.Mode) throws -> StateRewriter.Summary {
        try rewriter().write(to: target, mode: mode, output: .encrypted(raftCipher()))
    }
}
