import Crypto
import Foundation

/// A 32-byte secret key: a raft DEK (data encryption key) or a KEK (the bytes behind an
/// unlock key). Both raft-data algorithms swarmkit uses take a key of exactly this size.
///
/// The bytes never appear in `description`, `debugDescription` or string interpolation;
/// read `bytes` explicitly when they are really needed.
public struct EncryptionKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let byteCount = 32

    /// The raw key bytes (secret).
    public let bytes: Data

    /// Wraps exactly 32 bytes.
    public init<Bytes: DataProtocol>(bytes: Bytes) throws(RaftCryptoError) {
        guard bytes.count == Self.byteCount else { throw RaftCryptoError.invalidKeyLength(bytes.count) }
        self.bytes = Data(bytes)
    }

    /// A fresh key from the system's secure random source.
    public static func random() -> EncryptionKey {
        EncryptionKey(unchecked: SecureRandom.bytes(byteCount))
    }

    init(unchecked bytes: Data) {
        self.bytes = bytes
    }

    /// Constant-time comparison, so comparing keys does not leak where they differ.
    public static func == (lhs: EncryptionKey, rhs: EncryptionKey) -> Bool {
        guard lhs.bytes.count == rhs.bytes.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs.bytes, rhs.bytes) { difference |= a ^ b }
        return difference == 0
    }

    /// A short non-secret tag to tell keys apart in logs: the first 4 bytes of SHA-256 over
    /// a fixed label and the key, in hex. It does not let anyone recover the key.
    public var fingerprint: String {
        var hasher = SHA256()
        hasher.update(data: Array("swarmsafe key fingerprint".utf8))
        hasher.update(data: bytes)
        return hasher.finalize().prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    public var description: String { "EncryptionKey(\(bytes.count) bytes, redacted)" }
    public var debugDescription: String { description }
}

/// Random bytes from the operating system's CSPRNG.
enum SecureRandom {
    static func bytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var out = Data(count: count)
        for index in 0..<count {
            out[index] = UInt8.random(in: .min ... .max, using: &generator)
        }
        return out
    }
}
