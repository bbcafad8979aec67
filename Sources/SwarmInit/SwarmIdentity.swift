import Foundation
import SwarmFormats
import SwarmProto
import SwiftProtobuf

/// Object IDs in swarmkit's form: 25 lower-case base-36 characters.
public enum SwarmID {
    public static let length = 25
    /// Entropy behind an ID (136 bits).
    public static let entropyBytes = 17

    /// A new random ID.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        make(entropy: randomBytes(entropyBytes, using: &generator))
    }

    /// swarmkit's construction from 17 random bytes: the top bit is forced on so the base-36
    /// text always has the same number of digits, then the leading digit (which that bit
    /// makes predictable) is dropped and the next 25 are kept.
    public static func make(entropy: [UInt8]) -> String {
        var bytes = entropy
        guard !bytes.isEmpty else { return "" }
        bytes[0] |= 0x80
        let digits = Base36.encode(bigEndian: bytes)
        return String(digits.dropFirst().prefix(length))
    }

    public static func isValid(_ id: String) -> Bool {
        id.utf8.count == length && id.utf8.allSatisfy(Base36.isDigit)
    }
}

/// `SWMTKN-…` join tokens: the root CA digest and a random secret, both in base 36.
public enum JoinToken {
    /// Secret entropy (128 bits).
    public static let secretBytes = 16
    static let digestWidth = 50
    static let secretWidth = 25

    /// A new random token for a root CA digest (SHA-256 of the root certificate PEM). FIPS
    /// clusters use the v2 form `SWMTKN-2-1-…` so that non-FIPS nodes refuse to join them.
    public static func random<G: RandomNumberGenerator>(rootDigest: Data, fips: Bool, using generator: inout G) -> String {
        make(rootDigest: rootDigest, secret: randomBytes(secretBytes, using: &generator), fips: fips)
    }

    /// A new token for the cluster as it stands: `docker swarm join-token --rotate` makes it from
    /// the current root CA certificate, so the digest part is what joining nodes pin.
    public static func random(for cluster: SwarmCluster) -> String {
        var generator = SystemRandomNumberGenerator()
        let digest = CertificateIssuer.rootDigest(ofCertificatePEM: cluster.rootCa.caCert)
        return random(rootDigest: digest, fips: cluster.fips, using: &generator)
    }

    /// The token for a root digest and a 16-byte secret, each in base 36 left-padded with
    /// zeros (to 50 and 25 digits).
    public static func make(rootDigest: Data, secret: [UInt8], fips: Bool) -> String {
        let digest = padded(Base36.encode(bigEndian: [UInt8](rootDigest)), to: digestWidth)
        let secretText = padded(Base36.encode(bigEndian: secret), to: secretWidth)
        return (fips ? "SWMTKN-2-1-" : "SWMTKN-1-") + digest + "-" + secretText
    }

    private static func padded(_ text: String, to width: Int) -> String {
        String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

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

/// Arbitrary-length unsigned integers in base 36, the way Go's `big.Int.Text(36)` prints them.
enum Base36 {
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")

    static func encode(bigEndian bytes: [UInt8]) -> String {
        var number = Array(bytes.drop { $0 == 0 })
        guard !number.isEmpty else { return "0" }
        var digits: [Character] = []
        // Schoolbook division by 36, most significant byte first, until nothing is left.
        while !number.isEmpty {
            var remainder = 0
            var quotient: [UInt8] = []
            quotient.reserveCapacity(number.count)
            for byte in number {
                let value = remainder << 8 | Int(byte)
                let digit = value / 36
                remainder = value % 36
                if !(quotient.isEmpty && digit == 0) { quotient.append(UInt8(digit)) }
            }
            digits.append(alphabet[remainder])
            number = quotient
        }
        return String(digits.reversed())
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
}

func randomBytes<G: RandomNumberGenerator>(_ count: Int, using generator: inout G) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}
