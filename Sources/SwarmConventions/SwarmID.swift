import Foundation
import SwarmFormats
import SwarmProto

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

/// Arbitrary-length unsigned integers in base 36, the way Go's `big.Int.Text(36)` prints them.
package enum Base36 {
    package static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")

    package static func encode(bigEndian bytes: [UInt8]) -> String {
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

    package static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
}

package func randomBytes<G: RandomNumberGenerator>(_ count: Int, using generator: inout G) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}
