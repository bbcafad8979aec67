/// The encryption algorithms of `api.MaybeEncryptedRecord`, as swarmkit numbers them.
public enum RaftEncryptionAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// 0: not encrypted; `data` is the plaintext.
    case none
    /// 1: NaCl secretbox (XSalsa20-Poly1305), random 24-byte nonce in `nonce`.
    case secretbox
    /// 2: Fernet (AES-128-CBC + HMAC-SHA256), used by FIPS clusters.
    case fernet
    /// Any other value found on disk.
    case unrecognized(Int)

    public init(rawValue: Int) {
        switch rawValue {
        case 0: self = .none
        case 1: self = .secretbox
        case 2: self = .fernet
        default: self = .unrecognized(rawValue)
        }
    }

    public var rawValue: Int {
        switch self {
        case .none: 0
        case .secretbox: 1
        case .fernet: 2
        case .unrecognized(let value): value
        }
    }

    /// swarmkit's enum value name.
    public var description: String {
        switch self {
        case .none: "NONE"
        case .secretbox: "SECRETBOX_SALSA20_POLY1305"
        case .fernet: "FERNET_AES_128_CBC"
        case .unrecognized(let value): "unknown algorithm \(value)"
        }
    }
}

/// Why raft data (or a DEK header) could not be encrypted or decrypted. Descriptions never
/// contain key material or plaintext.
public enum RaftCryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key that is not 32 bytes long.
    case invalidKeyLength(Int)
    /// A secretbox record whose nonce is not 24 bytes.
    case invalidNonceLength(Int)
    /// The authenticator did not match: the key is wrong or the data was altered.
    case authenticationFailed(RaftEncryptionAlgorithm)
    /// The ciphertext does not have the algorithm's shape (too short, bad encoding, bad padding).
    case malformedCiphertext(RaftEncryptionAlgorithm, reason: String)
    /// The record names an algorithm we cannot decrypt.
    case unsupportedAlgorithm(RaftEncryptionAlgorithm)
    /// The bytes are not a marshaled `MaybeEncryptedRecord`.
    case notAnEncryptedRecord(reason: String)
    /// No key was given for data that needs one.
    case noKey
    /// The crypto library failed for a reason unrelated to the data.
    case libraryFailure(String)

    public var description: String {
        switch self {
        case .invalidKeyLength(let length):
            "encryption key must be 32 bytes, got \(length)"
        case .invalidNonceLength(let length):
            "invalid nonce size for NaCl secretbox: require 24, got \(length)"
        case .authenticationFailed(let algorithm):
            "cannot decrypt \(algorithm) record: wrong key or damaged data (authentication failed)"
        case .malformedCiphertext(let algorithm, let reason):
            "malformed \(algorithm) ciphertext: \(reason)"
        case .unsupportedAlgorithm(let algorithm):
            "cannot decrypt record encrypted using \(algorithm)"
        case .notAnEncryptedRecord(let reason):
            "data is not a MaybeEncryptedRecord: \(reason)"
        case .noKey:
            "no decryption key available"
        case .libraryFailure(let what):
            "crypto library failure: \(what)"
        }
    }
}
