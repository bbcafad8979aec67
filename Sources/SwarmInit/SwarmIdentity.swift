import Foundation
import SwarmConventions
import SwarmFormats
import SwarmProto
import SwiftProtobuf

/// Raft request IDs as etcd's generator makes them: member ID in the top 16 bits, the
/// generator's creation time in milliseconds (low 40 bits) above an 8-bit counter, plus one
/// per request. swarmkit creates the generator before a new node has a raft ID, so the
/// member part of a fresh manager's IDs is zero.
public struct RaftRequestIDs: Sendable, Equatable {
    /// The ID the next request gets.
    public private(set) var next: UInt64

    public init(startedAt date: Date, memberID: UInt16 = 0) {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        next = UInt64(memberID) << 48 | (milliseconds & 0xFF_FFFF_FFFF) << 8
        next &+= 1
    }

    public init(first: UInt64) {
        next = first
    }

    public mutating func take() -> UInt64 {
        defer { next &+= 1 }
        return next
    }
}

/// Everything random in a new swarm except key material: the IDs, the raft ID, join tokens,
/// overlay network bootstrap keys. Fixed up front so the whole initial state is a pure
/// function of this value, the key material and the clock.
public struct SwarmIdentity: Sendable {
    /// `FIPS.`-prefixed for FIPS clusters.
    public var clusterID: String
    public var nodeID: String
    /// swarmkit picks `rand.Int63() + 1`: never 0, at most 2^63.
    public var raftID: UInt64
    public var ingressNetworkID: String
    public var joinTokens: SwarmJoinTokens
    /// Gossip and IPsec keys for overlay networks, as swarmkit's key manager makes them.
    public var networkBootstrapKeys: [SwarmEncryptionKey]
    /// The key manager's Lamport clock after making the keys.
    public var encryptionKeyLamportClock: UInt64
    /// The ID of the first store request.
    public var firstRequestID: UInt64

    public init(
        clusterID: String, nodeID: String, raftID: UInt64, ingressNetworkID: String, joinTokens: SwarmJoinTokens,
        networkBootstrapKeys: [SwarmEncryptionKey], encryptionKeyLamportClock: UInt64, firstRequestID: UInt64
    ) {
        self.clusterID = clusterID
        self.nodeID = nodeID
        self.raftID = raftID
        self.ingressNetworkID = ingressNetworkID
        self.joinTokens = joinTokens
        self.networkBootstrapKeys = networkBootstrapKeys
        self.encryptionKeyLamportClock = encryptionKeyLamportClock
        self.firstRequestID = firstRequestID
    }

    public static let fipsClusterIDPrefix = "FIPS."

    public static func random<G: RandomNumberGenerator>(
        rootDigest: Data, fips: Bool, startedAt: Date, using generator: inout G
    ) -> SwarmIdentity {
        var tokens = SwarmJoinTokens()
        tokens.worker = JoinToken.random(rootDigest: rootDigest, fips: fips, using: &generator)
        tokens.manager = JoinToken.random(rootDigest: rootDigest, fips: fips, using: &generator)
        let keys = NetworkBootstrapKeys.random(using: &generator)
        return SwarmIdentity(
            clusterID: (fips ? fipsClusterIDPrefix : "") + SwarmID.random(using: &generator),
            nodeID: SwarmID.random(using: &generator),
            raftID: UInt64.random(in: 1...(1 << 63), using: &generator),
            ingressNetworkID: SwarmID.random(using: &generator),
            joinTokens: tokens,
            networkBootstrapKeys: keys.keys,
            encryptionKeyLamportClock: keys.lamportClock,
            firstRequestID: RaftRequestIDs(startedAt: startedAt).next)
    }
}

/// The overlay network keys swarmkit's key manager puts in a new cluster object: three
/// 16-byte keys for gossip, then three for IPsec (AES-128-GCM, the enum's zero value), with
/// Lamport times counting up from a random 16-bit skew.
public enum NetworkBootstrapKeys {
    public static let subsystems = ["networking:gossip", "networking:ipsec"]
    public static let keysPerSubsystem = 3
    public static let keyLength = 16

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> (keys: [SwarmEncryptionKey], lamportClock: UInt64) {
        var clock = UInt64(UInt16.random(in: .min ... .max, using: &generator))
        var keys: [SwarmEncryptionKey] = []
        for subsystem in subsystems {
            for _ in 0..<keysPerSubsystem {
                clock += 1
                var key = SwarmEncryptionKey()
                key.subsystem = subsystem
                key.algorithm = .aes128Gcm
                key.key = Data(randomBytes(keyLength, using: &generator))
                key.lamportTime = clock
                keys.append(key)
            }
        }
        return (keys, clock)
    }
}
