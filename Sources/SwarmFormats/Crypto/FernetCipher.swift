import Crypto
import Foundation
import _CryptoExtras

/// Fernet (https://github.com/fernet/spec) with a 32-byte key, the raft cipher of FIPS
/// clusters: the first 16 key bytes sign (HMAC-SHA256), the last 16 encrypt (AES-128-CBC,
/// PKCS#7 padding).
///
/// Token = 0x80 ‖ 8-byte big-endian Unix time ‖ 16-byte IV ‖ ciphertext ‖ 32-byte HMAC over
/// everything before it; stored as URL-safe base64 with padding. Like swarmkit, decryption
/// does not check the token's age.
public struct FernetCipher: Sendable {
    static let version: UInt8 = 0x80
    static let ivSize = 16
    static let macSize = 32
    static let headerSize = 1 + 8 + 16

    public let key: EncryptionKey

    public init(key: EncryptionKey) {
        self.key = key
    }

    private var signingKey: SymmetricKey { SymmetricKey(data: key.bytes.prefix(16)) }
    private var encryptionKey: SymmetricKey { SymmetricKey(data: key.bytes.suffix(16)) }

    /// Encrypts and signs `plaintext`; returns the base64 token text as bytes.
    /// `timestamp` (seconds since 1970) and `iv` default to now and random bytes.
    public func seal(_ plaintext: Data, timestamp: UInt64? = nil, iv: Data? = nil) throws(RaftCryptoError) -> Data {
        let iv = iv ?? SecureRandom.bytes(Self.ivSize)
        guard iv.count == Self.ivSize else {
            throw RaftCryptoError.malformedCiphertext(.fernet, reason: "IV must be 16 bytes, got \(iv.count)")
        }
        let time = timestamp ?? UInt64(max(0, Date().timeIntervalSince1970.rounded(.down)))
        let ciphertext: Data
        do {
            ciphertext = try AES._CBC.encrypt(plaintext, using: encryptionKey, iv: AES._CBC.IV(ivBytes: iv))
        } catch {
            throw RaftCryptoError.libraryFailure("AES-CBC encryption failed")
        }
        var token = Data([Self.version])
        withUnsafeBytes(of: time.bigEndian) { token.append(contentsOf: $0) }
        token.append(iv)
        token.append(ciphertext)
        token.append(contentsOf: HMAC<SHA256>.authenticationCode(for: token, using: signingKey))
        return Base64Text.encodeURLSafe(token)
    }

    /// Verifies and decrypts a base64 token.
    public func open(_ tokenText: Data) throws(RaftCryptoError) -> Data {
        guard let token = Base64Text.decodeURLSafe(tokenText) else {
            throw RaftCryptoError.malformedCiphertext(.fernet, reason: "token is not URL-safe base64")
        }
        return try openDecoded(token)
    }

    /// The creation time recorded in a token (not authenticated until `open` succeeds).
    public static func timestamp(of tokenText: Data) -> Date? {
        guard let token = Base64Text.decodeURLSafe(tokenText), token.count >= headerSize else { return nil }
        let time = token.dropFirst().prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Date(timeIntervalSince1970: TimeInterval(time))
    }

    private func openDecoded(_ token: Data) throws(RaftCryptoError) -> Data {
        let bytes = [UInt8](token)
        guard bytes.count >= Self.headerSize + Self.macSize else {
            throw RaftCryptoError.malformedCiphertext(.fernet, reason: "token of \(bytes.count) bytes is too short")
        }
        guard bytes[0] == Self.version else {
            throw RaftCryptoError.malformedCiphertext(.fernet, reason: "unknown token version 0x\(String(bytes[0], radix: 16))")
        }
        let macStart = bytes.count - Self.macSize
        let signed = bytes[0..<macStart]
        let mac = bytes[macStart...]
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: signingKey) else {
            throw RaftCryptoError.authenticationFailed(.fernet)
        }
        let iv = bytes[9..<Self.headerSize]
        let ciphertext = bytes[Self.headerSize..<macStart]
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            throw RaftCryptoError.malformedCiphertext(.fernet, reason: "ciphertext length \(ciphertext.count) is not a positive multiple of 16")
        }
        let padded: Data
        do {
            padded = try AES._CBC.decrypt(ciphertext, using: encryptionKey, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
        } catch {
            throw RaftCryptoError.libraryFailure("AES-CBC decryption failed")
        }
        guard let plaintext = PKCS7.unpad(padded, blockSize: 16) else {
            throw RaftCryptoError.malformedCiphertext(.fernet, reason: "bad padding")
        }
        return plaintext
    }
}

/// PKCS#7 padding removal (RFC 5652 §6.3).
enum PKCS7 {
    static func unpad(_ data: Data, blockSize: Int) -> Data? {
        guard let last = data.last, !data.isEmpty, data.count % blockSize == 0 else { return nil }
        let count = Int(last)
        guard count >= 1, count <= blockSize, count <= data.count else { return nil }
        guard data.suffix(count).allSatisfy({ $0 == last }) else { return nil }
        return data.prefix(data.count - count)
    }

    static func pad(_ data: Data, blockSize: Int) -> Data {
        let count = blockSize - data.count % blockSize
        return data + Data(repeating: UInt8(count), count: count)
    }
}
