import Foundation

/// A swarm unlock key: `SWMKEY-1-` followed by the 32-byte KEK in standard base64 without
/// padding. The KEK encrypts the node's private key and DEK headers when the swarm is
/// autolocked.
///
/// `description`, `debugDescription` and string interpolation never show the key; use
/// `text` (or `kek.bytes`) when it really has to be written somewhere.
public struct UnlockKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let prefix = "SWMKEY-1-"

    /// The key-encrypting key.
    public let kek: EncryptionKey

    public init(kek: EncryptionKey) {
        self.kek = kek
    }

    /// Parses `SWMKEY-1-…`; surrounding whitespace (a trailing newline from a file) is ignored.
    public init(text: String) throws(UnlockKeyError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw UnlockKeyError.empty }
        guard trimmed.hasPrefix(Self.prefix) else { throw UnlockKeyError.missingPrefix }
        let encoded = String(trimmed.dropFirst(Self.prefix.count))
        if encoded.contains("=") { throw UnlockKeyError.notBase64 }
        guard let bytes = Base64Text.decodeStandardUnpadded(encoded) else { throw UnlockKeyError.notBase64 }
        guard bytes.count == EncryptionKey.byteCount else { throw UnlockKeyError.wrongLength(bytes.count) }
        self.kek = EncryptionKey(unchecked: bytes)
    }

    /// Parses unlock key text that came from `source` (e.g. `--unlock-key`, a file path, an
    /// environment variable name); a malformed key is a `KeyMaterialError.invalidUnlockKey`
    /// naming the source, never showing the text.
    public init(parsing text: String, source: String) throws(KeyMaterialError) {
        do {
            try self.init(text: text)
        } catch {
            throw KeyMaterialError.invalidUnlockKey(source: source, problem: error)
        }
    }

    /// A new random unlock key.
    public static func random() -> UnlockKey {
        UnlockKey(kek: .random())
    }

    /// The key as `docker swarm unlock-key` prints it. Secret.
    public var text: String {
        Self.prefix + Base64Text.encodeStandardUnpadded(kek.bytes)
    }

    /// Non-secret tag to tell keys apart (see `EncryptionKey.fingerprint`).
    public var fingerprint: String { kek.fingerprint }

    public var description: String { "SWMKEY-1-<redacted>" }
    public var debugDescription: String { description }
}

public enum UnlockKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case missingPrefix
    case notBase64
    case wrongLength(Int)

    public var description: String {
        switch self {
        case .empty: "the unlock key is empty"
        case .missingPrefix: "an unlock key starts with \"SWMKEY-1-\""
        case .notBase64: "the unlock key is not valid: the part after \"SWMKEY-1-\" must be unpadded base64"
        case .wrongLength(let count): "the unlock key is not valid: it must hold 32 bytes, it holds \(count)"
        }
    }
}
