import Foundation
import SwarmConventions
import SwarmInit
import SwarmProto
import Testing

/// IDs, tokens and addresses against values computed the way swarmkit (Go's big.Int) does,
/// and against the fresh-init fixture's own values.
@Suite struct IdentityTests {
    static func hex(_ text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map {
            let start = text.index(text.startIndex, offsetBy: $0)
            return UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
    }

    @Test func idsAreGoBase36() {
        #expect(SwarmID.make(entropy: Array(1...17)) == "ib7wwa7iw3swndjw6xned85q8")
        #expect(SwarmID.make(entropy: Array(repeating: 0, count: 17)) == "hvy0lj3x0b883f8e30fyp2172")
        #expect(SwarmID.make(entropy: Array(repeating: 0xFF, count: 17)) == "zrw1727u0mgg6ugs60vxe42e4")
    }

    @Test func randomIDsHaveSwarmkitsShape() {
        var generator = SystemRandomNumberGenerator()
        let ids = (0..<200).map { _ in SwarmID.random(using: &generator) }
        #expect(ids.allSatisfy(SwarmID.isValid))
        #expect(Set(ids).count == ids.count)
        #expect(SwarmID.isValid("7p5boebijqnwx6hvyroyvf1si"))
        #expect(!SwarmID.isValid("7p5boebijqnwx6hvyroyvf1s"))
        #expect(!SwarmID.isValid("7P5BOEBIJQNWX6HVYROYVF1SI"))
    }

    /// fresh-init's worker token, rebuilt from its root digest and its secret.
    @Test func joinTokenMatchesFixture() {
        let digest = Data(Self.hex("cc0e804a572cbdede87a73c369a1199e9e52512a4761dd287bc62377d0e2b60c"))
        let secret = Self.hex("3a9d6f79679d1d8766fd1454b2bec52d")
        #expect(JoinToken.make(rootDigest: digest, secret: secret, fips: false)
            == "SWMTKN-1-533bdhlsxt66nulbr732g7xnjscbl7sga37hn2kj4y476bst8s-3gxb9glcv5zw5rj2ldmunn4fh")
        #expect(JoinToken.make(rootDigest: digest, secret: secret, fips: true)
            == "SWMTKN-2-1-533bdhlsxt66nulbr732g7xnjscbl7sga37hn2kj4y476bst8s-3gxb9glcv5zw5rj2ldmunn4fh")
        // Small numbers are left-padded with zeros to the fixed widths.
        let small = JoinToken.make(rootDigest: Data([1]), secret: [0, 35], fips: false)
        #expect(small == "SWMTKN-1-" + String(repeating: "0", count: 49) + "1-" + String(repeating: "0", count: 24) + "z")
    }

    @Test func randomTokensHaveFixedWidths() {
        var generator = SystemRandomNumberGenerator()
        let digest = Data(repeating: 0xAB, count: 32)
        for _ in 0..<50 {
            let parts = JoinToken.random(rootDigest: digest, fips: false, using: &generator).split(separator: "-")
            #expect(parts.count == 4 && parts[2].count == 50 && parts[3].count == 25)
        }
    }

    /// etcd's request ID layout; fresh-init's first request was 178138559678977, its
    /// generator created at 2026-11-22T16:36:16.522Z.
    @Test func requestIDs() {
        var ids = RaftRequestIDs(startedAt: Date(timeIntervalSince1970: 1_795_365_376.522))
        #expect(ids.take() == 178_138_559_678_977)
        #expect(ids.take() == 178_138_559_678_978)
        #expect(RaftRequestIDs(startedAt: Date(timeIntervalSince1970: 1_795_365_376.522), memberID: 0xD41C).next
            == UInt64(0xD41C) << 48 | 178_138_559_678_977)
    }

    @Test func networkKeysAreSwarmkitsLayout() {
        var generator = SystemRandomNumberGenerator()
        let (keys, clock) = NetworkBootstrapKeys.random(using: &generator)
        #expect(keys.map(\.subsystem) == Array(repeating: "networking:gossip", count: 3) + Array(repeating: "networking:ipsec", count: 3))
        #expect(keys.allSatisfy { $0.key.count == 16 && $0.algorithm == .aes128Gcm })
        #expect(keys.map(\.lamportTime) == Array((clock - 5)...clock))
        #expect(clock >= 6 && clock <= UInt64(UInt16.max) + 6)
    }

    @Test func randomIdentity() {
        var generator = SystemRandomNumberGenerator()
        let identity = SwarmIdentity.random(rootDigest: Data(count: 32), fips: true, startedAt: Date(), using: &generator)
        #expect(identity.clusterID.hasPrefix("FIPS.") && SwarmID.isValid(String(identity.clusterID.dropFirst(5))))
        #expect(SwarmID.isValid(identity.nodeID) && SwarmID.isValid(identity.ingressNetworkID))
        #expect(identity.raftID >= 1 && identity.raftID <= 1 << 63)
        #expect(identity.firstRequestID & 0xFF == 1 && identity.firstRequestID >> 48 == 0)
        #expect(Set([identity.clusterID, identity.nodeID, identity.ingressNetworkID]).count == 3)
    }

    @Test(arguments: [
        ("10.0.0.1", "10.0.0.1:2377", "10.0.0.1"),
        ("10.0.0.1:4000", "10.0.0.1:4000", "10.0.0.1"),
        (" 192.168.1.9:2377 ", "192.168.1.9:2377", "192.168.1.9"),
        ("::1", "[::1]:2377", "::1"),
        ("[fe80::1]", "[fe80::1]:2377", "fe80::1"),
        ("[2001:db8::7]:2400", "[2001:db8::7]:2400", "2001:db8::7"),
    ])
    func identityAdvertiseAddresses(text: String, hostPort: String, ip: String) throws {
        let address = try AdvertiseAddress(parsing: text)
        #expect(address.hostPort == hostPort)
        #expect(address.ip == ip)
    }

    @Test(arguments: ["eth0", "10.0.0.1:0", "10.0.0.1:70000", "10.0.0.1:x", "[::1", "[::1]x", "", "300.1.1.1", "host.example:2377"])
    func identityRejectsAddresses(text: String) {
        #expect(throws: AddressError.self) { try AdvertiseAddress(parsing: text) }
    }
}
