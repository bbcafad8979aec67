import Foundation

/// Everything that can go wrong reading or writing an age file or key. Messages never carry key
/// material, so these are safe to log.
public enum AgeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A Bech32 string is malformed (bad character, mixed case, bad checksum, bad padding).
    case invalidBech32(String)
    /// An `age1…` recipient string could not be parsed.
    case invalidRecipient(String)
    /// An `AGE-SECRET-KEY-1…` identity could not be parsed (the reason never echoes the key).
    case invalidIdentity(String)
    /// The file does not start with `age-encryption.org/v1`.
    case unsupportedVersion
    /// The header is syntactically wrong.
    case malformedHeader(String)
    /// The header did not end within the allowed size.
    case headerTooLarge(limit: Int)
    /// The header MAC does not match (the header was altered).
    case headerMACMismatch
    /// None of the given identities could unwrap the file key (wrong identity, or a tampered stanza).
    case noMatchingIdentity
    /// The file is passphrase-encrypted and the passphrase is wrong (or the stanza was tampered with).
    case incorrectPassphrase
    /// The file is passphrase-encrypted but identities were supplied, or the other way round.
    case passphraseMismatch(fileUsesPassphrase: Bool)
    /// A scrypt stanza appeared together with other stanzas, which the format forbids.
    case scryptStanzaNotAlone
    /// The scrypt work factor is outside what we accept.
    case invalidWorkFactor(Int)
    /// The scrypt work factor is above the caller's limit (protects against resource exhaustion).
    case workFactorTooLarge(Int, limit: Int)
    /// Encryption needs at least one recipient.
    case noRecipients
    /// Passphrases must not be empty.
    case emptyPassphrase
    /// The payload ended before its final chunk.
    case truncated
    /// A payload chunk failed authentication (tampered or corrupted data).
    case payloadAuthenticationFailed(chunk: UInt64)
    /// Bytes follow the final chunk, or the final chunk is illegally empty.
    case malformedPayload(String)
    /// The encryptor/decryptor was used after `finish()`, or after it already failed.
    case streamClosed
    /// The underlying crypto library reported an unexpected failure.
    case cryptoFailure(String)

    public var description: String {
        switch self {
        case .invalidBech32(let reason): "invalid Bech32 string: \(reason)"
        case .invalidRecipient(let reason): "invalid age recipient: \(reason)"
        case .invalidIdentity(let reason): "invalid age identity: \(reason)"
        case .unsupportedVersion: "not an age-encryption.org/v1 file"
        case .malformedHeader(let reason): "malformed age header: \(reason)"
        case .headerTooLarge(let limit): "age header exceeds \(limit) bytes"
        case .headerMACMismatch: "age header MAC mismatch (header altered)"
        case .noMatchingIdentity: "no identity matched any of the file's recipients"
        case .incorrectPassphrase: "incorrect passphrase"
        case .passphraseMismatch(let filePassphrase):
            filePassphrase ? "file is passphrase-encrypted; a passphrase is required"
                : "file is encrypted to recipients; an identity is required"
        case .scryptStanzaNotAlone: "scrypt stanza must be the only stanza"
        case .invalidWorkFactor(let n): "invalid scrypt work factor \(n)"
        case .workFactorTooLarge(let n, let limit): "scrypt work factor \(n) exceeds limit \(limit)"
        case .noRecipients: "no recipients"
        case .emptyPassphrase: "empty passphrase"
        case .truncated: "age file is truncated"
        case .payloadAuthenticationFailed(let chunk): "age payload chunk \(chunk) failed authentication"
        case .malformedPayload(let reason): "malformed age payload: \(reason)"
        case .streamClosed: "age stream already finished or failed"
        case .cryptoFailure(let reason): "crypto failure: \(reason)"
        }
    }
}
