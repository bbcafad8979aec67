import Crypto
import Foundation

/// An age X25519 recipient (public key), written `age1…`.
public struct AgeX25519Recipient: Sendable, Hashable, CustomStringConvertible {
    static let hrp = "age"
    /// The 32-byte X25519 public key.
    public let publicKeyBytes: Data

    public init(_ text: String) throws {
        let decoded: (hrp: String, data: [UInt8])
        do { decoded = try Bech32.decode(text) } catch { throw AgeError.invalidRecipient("not valid Bech32") }
        guard decoded.hrp == Self.hrp else { throw AgeError.invalidRecipient("wrong prefix (expected age1…)") }
        guard decoded.data.count == 32 else { throw AgeError.invalidRecipient("wrong key length") }
        publicKeyBytes = Data(decoded.data)
    }

    public init(publicKeyBytes: Data) throws {
        guard publicKeyBytes.count == 32 else { throw AgeError.invalidRecipient("wrong key length") }
        self.publicKeyBytes = Data(publicKeyBytes)
    }

    init(validatedBytes: Data) { publicKeyBytes = validatedBytes }

    /// The canonical `age1…` string.
    public var string: String { Bech32.encode(hrp: Self.hrp, data: Array(publicKeyBytes)) }
    public var description: String { string }
}

/// An age X25519 identity (private key), written `AGE-SECRET-KEY-1…`. Its description is redacted;
/// use `secretKeyString` explicitly when the key must be written out.
public struct AgeX25519Identity: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    static let hrp = "AGE-SECRET-KEY-"
    let privateKey: Curve25519.KeyAgreement.PrivateKey

    /// A fresh random identity.
    public init() {
        privateKey = Curve25519.KeyAgreement.PrivateKey()
    }

    /// Parses `AGE-SECRET-KEY-1…` (surrounding whitespace is ignored).
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let decoded: (hrp: String, data: [UInt8])
        do { decoded = try Bech32.decode(trimmed) } catch { throw AgeError.invalidIdentity("not valid Bech32") }
        guard decoded.hrp == Self.hrp.lowercased() else { throw AgeError.invalidIdentity("wrong prefix (expected AGE-SECRET-KEY-1…)") }
        guard decoded.data.count == 32 else { throw AgeError.invalidIdentity("wrong key length") }
        do {
            privateKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: decoded.data)
        } catch {
            throw AgeError.invalidIdentity("unusable key")
        }
    }

    /// Parses an identity file as `age-keygen` writes it: one key per line; blank lines and `#`
    /// comments are ignored. At least one identity is required.
    public static func parseIdentityFile(_ text: String) throws -> [AgeX25519Identity] {
        var identities = [AgeX25519Identity]()
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                identities.append(try AgeX25519Identity(line))
            } catch {
                throw AgeError.invalidIdentity("line \(number + 1) is not an AGE-SECRET-KEY-1… key")
            }
        }
        guard !identities.isEmpty else { throw AgeError.invalidIdentity("no identities found") }
        return identities
    }

    /// The matching recipient (public key).
    public var recipient: AgeX25519Recipient {
        AgeX25519Recipient(validatedBytes: privateKey.publicKey.rawRepresentation)
    }

    /// The secret `AGE-SECRET-KEY-1…` string. Handle with care: this is the key.
    public var secretKeyString: String {
        Bech32.encode(hrp: Self.hrp, data: Array(privateKey.rawRepresentation))
    }

    /// An identity file in the same layout `age-keygen` writes.
    public var identityFileContents: String {
        "# public key: \(recipient.string)\n\(secretKeyString)\n"
    }

    public var description: String { "AgeX25519Identity(<redacted>, recipient: \(recipient.string))" }
    public var debugDescription: String { description }
}

/// Who can decrypt a file being written.
public enum AgeEncryptionTarget: Sendable {
    /// One or more X25519 recipients.
    case recipients([AgeX25519Recipient])
    /// A passphrase; `workFactor` is log2 of scrypt's N (age uses 18).
    case passphrase(String, workFactor: Int = AgeScrypt.defaultWorkFactor)
}

/// How to open a file being read.
public enum AgeDecryptionKey: Sendable {
    case identities([AgeX25519Identity])
    /// A passphrase; files asking for a work factor above `maxWorkFactor` are refused.
    case passphrase(String, maxWorkFactor: Int = AgeScrypt.defaultMaxWorkFactor)
}

public enum AgeScrypt {
    /// log2(N) used when encrypting, as the age tool does.
    public static let defaultWorkFactor = 18
    /// Largest log2(N) accepted when decrypting by default (2^22 × 1 KiB = 4 GiB of memory).
    public static let defaultMaxWorkFactor = 22
    /// Hard ceiling on log2(N) in either direction.
    public static let absoluteMaxWorkFactor = 30
}
