import Crypto
import _CryptoExtras
import Foundation

/// The STREAM construction age uses for its payload: ChaCha20-Poly1305 over 64 KiB chunks, each
/// with a nonce of an 11-byte big-endian chunk counter and a final-chunk flag byte.
struct AgeStream {
    static let chunkSize = 64 * 1024
    static let tagSize = 16
    static let sealedChunkSize = chunkSize + tagSize

    private let key: SymmetricKey
    private(set) var counter: UInt64 = 0

    init(fileKey: SymmetricKey, nonce: Data) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: nonce, info: Data("payload".utf8), outputByteCount: 32)
    }

    private func nonce(last: Bool) throws -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        for index in 0..<8 { bytes[3 + index] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * (7 - index))) }
        bytes[11] = last ? 1 : 0
        do { return try ChaChaPoly.Nonce(data: bytes) } catch { throw AgeError.cryptoFailure("nonce") }
    }

    private mutating func advance() throws {
        guard counter < UInt64.max else { throw AgeError.malformedPayload("too many chunks") }
        counter += 1
    }

    mutating func seal(_ plaintext: ArraySlice<UInt8>, last: Bool) throws -> Data {
        let box: ChaChaPoly.SealedBox
        do { box = try ChaChaPoly.seal(plaintext, using: key, nonce: nonce(last: last)) } catch { throw AgeError.cryptoFailure("seal") }
        try advance()
        var out = Data(capacity: plaintext.count + Self.tagSize)
        out.append(box.ciphertext)
        out.append(box.tag)
        return out
    }

    /// Decrypts one sealed chunk; nil if it does not authenticate with this flag (the counter is
    /// then left unchanged so the caller can try the other flag).
    mutating func open(_ sealed: ArraySlice<UInt8>, last: Bool) throws -> Data? {
        guard sealed.count >= Self.tagSize, sealed.count <= Self.sealedChunkSize else { return nil }
        let split = sealed.endIndex - Self.tagSize
        let plaintext: Data
        do {
            let box = try ChaChaPoly.SealedBox(nonce: nonce(last: last), ciphertext: sealed[..<split], tag: sealed[split...])
            plaintext = try ChaChaPoly.open(box, using: key)
        } catch {
            return nil
        }
        try advance()
        return plaintext
    }
}

/// Wrapping and unwrapping the 16-byte file key in recipient stanzas.
enum AgeStanzaCrypto {
    static let x25519Label = Data("age-encryption.org/v1/X25519".utf8)
    static let scryptLabel = Data("age-encryption.org/v1/scrypt".utf8)
    static let wrappedKeySize = AgeHeader.fileKeySize + AgeStream.tagSize

    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    private static func sealKey(_ fileKey: SymmetricKey, with wrapKey: SymmetricKey) throws -> Data {
        do {
            let box = try ChaChaPoly.seal(fileKey.withUnsafeBytes { Data($0) }, using: wrapKey, nonce: ChaChaPoly.Nonce(data: Data(count: 12)))
            return box.ciphertext + box.tag
        } catch {
            throw AgeError.cryptoFailure("wrap")
        }
    }

    private static func openKey(_ body: Data, with wrapKey: SymmetricKey) -> SymmetricKey? {
        guard body.count == wrappedKeySize,
              let nonce = try? ChaChaPoly.Nonce(data: Data(count: 12)),
              let box = try? ChaChaPoly.SealedBox(nonce: nonce, ciphertext: body.prefix(AgeHeader.fileKeySize), tag: body.suffix(AgeStream.tagSize)),
              let key = try? ChaChaPoly.open(box, using: wrapKey)
        else { return nil }
        return SymmetricKey(data: key)
    }

    private static func x25519WrapKey(shared: SharedSecret, share: Data, recipient: Data) throws -> SymmetricKey {
        let isZero = shared.withUnsafeBytes { $0.allSatisfy { $0 == 0 } }
        guard !isZero else { throw AgeError.invalidRecipient("low-order point") }
        return shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: share + recipient, sharedInfo: x25519Label, outputByteCount: 32)
    }

    static func wrap(_ fileKey: SymmetricKey, to recipient: AgeX25519Recipient) throws -> AgeStanza {
        let ephemeral = Curve25519.KeyAgreement.PrivateKey()
        let share = ephemeral.publicKey.rawRepresentation
        let shared: SharedSecret
        do {
            shared = try ephemeral.sharedSecretFromKeyAgreement(with: .init(rawRepresentation: recipient.publicKeyBytes))
        } catch {
            throw AgeError.invalidRecipient("unusable public key")
        }
        let wrapKey = try x25519WrapKey(shared: shared, share: share, recipient: recipient.publicKeyBytes)
        return AgeStanza(type: "X25519", arguments: [AgeBase64.encode(share)], body: try sealKey(fileKey, with: wrapKey))
    }

    /// The file key if `identity` opens this X25519 stanza, nil if it does not.
    static func unwrap(_ stanza: AgeStanza, with identity: AgeX25519Identity) throws -> SymmetricKey? {
        guard stanza.arguments.count == 1, let share = AgeBase64.decode(stanza.arguments[0]), share.count == 32 else {
            throw AgeError.malformedHeader("invalid X25519 stanza")
        }
        guard stanza.body.count == wrappedKeySize else { throw AgeError.malformedHeader("invalid X25519 stanza body") }
        guard let sharePoint = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: share),
              let shared = try? identity.privateKey.sharedSecretFromKeyAgreement(with: sharePoint),
              let wrapKey = try? x25519WrapKey(shared: shared, share: share, recipient: identity.recipient.publicKeyBytes)
        else { return nil }
        return openKey(stanza.body, with: wrapKey)
    }

    private static func scryptKey(passphrase: String, salt: Data, workFactor: Int) throws -> SymmetricKey {
        do {
            return try KDF.Scrypt.deriveKey(
                from: Data(passphrase.utf8), salt: scryptLabel + salt, outputByteCount: 32,
                rounds: 1 << workFactor, blockSize: 8, parallelism: 1)
        } catch {
            throw AgeError.cryptoFailure("scrypt")
        }
    }

    static func wrap(_ fileKey: SymmetricKey, passphrase: String, workFactor: Int) throws -> AgeStanza {
        guard !passphrase.isEmpty else { throw AgeError.emptyPassphrase }
        guard (1...AgeScrypt.absoluteMaxWorkFactor).contains(workFactor) else { throw AgeError.invalidWorkFactor(workFactor) }
        let salt = randomBytes(16)
        let key = try scryptKey(passphrase: passphrase, salt: salt, workFactor: workFactor)
        return AgeStanza(type: "scrypt", arguments: [AgeBase64.encode(salt), String(workFactor)], body: try sealKey(fileKey, with: key))
    }

    /// The file key if `passphrase` opens this scrypt stanza, nil if it does not.
    static func unwrap(_ stanza: AgeStanza, passphrase: String, maxWorkFactor: Int) throws -> SymmetricKey? {
        guard stanza.arguments.count == 2, let salt = AgeBase64.decode(stanza.arguments[0]), salt.count == 16 else {
            throw AgeError.malformedHeader("invalid scrypt stanza")
        }
        let factorText = stanza.arguments[1]
        guard factorText.utf8.count <= 2, factorText.utf8.first != UInt8(ascii: "0"),
              factorText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let workFactor = Int(factorText)
        else { throw AgeError.malformedHeader("invalid scrypt work factor") }
        guard (1...AgeScrypt.absoluteMaxWorkFactor).contains(workFactor) else { throw AgeError.invalidWorkFactor(workFactor) }
        guard workFactor <= min(maxWorkFactor, AgeScrypt.absoluteMaxWorkFactor) else {
            throw AgeError.workFactorTooLarge(workFactor, limit: maxWorkFactor)
        }
        guard stanza.body.count == wrappedKeySize else { throw AgeError.malformedHeader("invalid scrypt stanza body") }
        return openKey(stanza.body, with: try scryptKey(passphrase: passphrase, salt: salt, workFactor: workFactor))
    }
}
