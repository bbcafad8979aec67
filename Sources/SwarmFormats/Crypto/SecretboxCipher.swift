import CSodium
import Foundation

/// NaCl secretbox (XSalsa20-Poly1305) with a 32-byte key, as swarmkit's default raft cipher:
/// sealed data = 16-byte Poly1305 tag followed by the ciphertext (libsodium's
/// `crypto_secretbox_easy` layout, identical to Go's `secretbox.Seal`), 24-byte nonce.
public struct SecretboxCipher: Sendable {
    public static let nonceSize = 24
    public static let tagSize = 16

    public let key: EncryptionKey

    public init(key: EncryptionKey) {
        self.key = key
    }

    /// Seals `plaintext` under `nonce` (random when nil). Returns the sealed bytes and the nonce.
    public func seal(_ plaintext: Data, nonce: Data? = nil) throws(RaftCryptoError) -> (sealed: Data, nonce: Data) {
        try Sodium.ensureReady()
        let nonce = nonce ?? SecureRandom.bytes(Self.nonceSize)
        guard nonce.count == Self.nonceSize else { throw RaftCryptoError.invalidNonceLength(nonce.count) }
        let message = [UInt8](plaintext)
        let nonceBytes = [UInt8](nonce)
        let keyBytes = [UInt8](key.bytes)
        var output = [UInt8](repeating: 0, count: message.count + Self.tagSize)
        let status = crypto_secretbox_easy(&output, message, UInt64(message.count), nonceBytes, keyBytes)
        guard status == 0 else { throw RaftCryptoError.libraryFailure("crypto_secretbox_easy returned \(status)") }
        return (Data(output), nonce)
    }

    /// Opens sealed bytes; a wrong key or altered data fails authentication.
    public func open(_ sealed: Data, nonce: Data) throws(RaftCryptoError) -> Data {
        try Sodium.ensureReady()
        guard nonce.count == Self.nonceSize else { throw RaftCryptoError.invalidNonceLength(nonce.count) }
        guard sealed.count >= Self.tagSize else {
            throw RaftCryptoError.malformedCiphertext(.secretbox, reason: "\(sealed.count) bytes is shorter than the 16-byte tag")
        }
        let input = [UInt8](sealed)
        let nonceBytes = [UInt8](nonce)
        let keyBytes = [UInt8](key.bytes)
        var output = [UInt8](repeating: 0, count: input.count - Self.tagSize)
        let status = crypto_secretbox_open_easy(&output, input, UInt64(input.count), nonceBytes, keyBytes)
        guard status == 0 else { throw RaftCryptoError.authenticationFailed(.secretbox) }
        return Data(output)
    }
}

/// libsodium must be initialised once before use; `sodium_init` is idempotent and
/// thread-safe, and the lazily evaluated static keeps it to a single call per process.
enum Sodium {
    private static let initialised: Bool = sodium_init() >= 0

    static func ensureReady() throws(RaftCryptoError) {
        guard initialised else { throw RaftCryptoError.libraryFailure("libsodium could not be initialised") }
    }
}
