import Crypto
import Foundation
import SwiftASN1
import _CryptoExtras

/// Why an encrypted private key could not be decrypted or built. The node-key loader turns
/// these into `KeyMaterialError`s that name the file.
public enum PrivateKeyCryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The structure cannot be read.
    case malformed(String)
    /// A well-formed structure using something swarmkit never writes.
    case unsupported(String)
    /// Decryption produced garbage: the password (KEK) is wrong.
    case wrongPassword

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed encrypted private key: \(reason)"
        case .unsupported(let reason): "unsupported encrypted private key: \(reason)"
        case .wrongPassword: "the private key cannot be decrypted with this key (wrong unlock key)"
        }
    }
}

/// PKCS#8 `EncryptedPrivateKeyInfo` with PBES2 (RFC 8018), the `ENCRYPTED PRIVATE KEY` block of
/// autolocked managers: PBKDF2 (HMAC-SHA1 by default) derives an AES-256-CBC key from the
/// password (the raw KEK bytes), the data is the PKCS#8 DER with PKCS#7 padding.
///
/// swarmkit writes: salt 8 bytes, 2048 iterations, no key length, default PRF, 16-byte IV.
/// `derEncoded()` reproduces that layout exactly.
public struct PBES2EncryptedPrivateKey: Sendable, Equatable {
    public enum PRF: Sendable, Equatable {
        /// hmacWithSHA1, the default when the parameter is absent (what swarmkit writes).
        case hmacSHA1
        case hmacSHA256
    }

    public var salt: Data
    public var iterations: Int
    /// The optional `keyLength` of the PBKDF2 parameters (absent in swarmkit's files).
    public var keyLength: Int?
    /// nil = parameter absent (default hmacWithSHA1); set only when the file names a PRF.
    public var prf: PRF?
    public var iv: Data
    public var encryptedData: Data

    /// Refuse absurd iteration counts from a file so a hostile key cannot stall us.
    public static let maximumIterations = 10_000_000
    public static let swarmkitIterations = 2048

    static let oidPBES2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 13]
    static let oidPBKDF2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 12]
    static let oidAES256CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 42]
    static let oidHMACSHA1: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 7]
    static let oidHMACSHA256: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 9]

    public init(salt: Data, iterations: Int, keyLength: Int? = nil, prf: PRF? = nil, iv: Data, encryptedData: Data) {
        self.salt = salt
        self.iterations = iterations
        self.keyLength = keyLength
        self.prf = prf
        self.iv = iv
        self.encryptedData = encryptedData
    }

    // MARK: DER

    public init(derEncoded der: Data) throws(PrivateKeyCryptoError) {
        do {
            self = try Self.parse(DER.parse([UInt8](der)))
        } catch let error as PrivateKeyCryptoError {
            throw error
        } catch {
            throw PrivateKeyCryptoError.malformed("not a PKCS#8 EncryptedPrivateKeyInfo (\(error))")
        }
    }

    private static func parse(_ root: ASN1Node) throws -> PBES2EncryptedPrivateKey {
        try DER.sequence(root, identifier: .sequence) { nodes in
            let (salt, iterations, keyLength, prf, iv) = try DER.sequence(
                try next(&nodes), identifier: .sequence
            ) { algorithm in
                let oid = try ASN1ObjectIdentifier(derEncoded: &algorithm)
                guard oid == oidPBES2 else { throw PrivateKeyCryptoError.unsupported("encryption scheme \(oid) is not PBES2") }
                return try DER.sequence(try next(&algorithm), identifier: .sequence) { params in
                    let (salt, iterations, keyLength, prf) = try DER.sequence(try next(&params), identifier: .sequence) { kdf in
                        let kdfOID = try ASN1ObjectIdentifier(derEncoded: &kdf)
                        guard kdfOID == oidPBKDF2 else { throw PrivateKeyCryptoError.unsupported("key derivation \(kdfOID) is not PBKDF2") }
                        return try DER.sequence(try next(&kdf), identifier: .sequence) { pbkdf2 in
                            let salt = try ASN1OctetString(derEncoded: &pbkdf2)
                            let iterations = try Int(derEncoded: &pbkdf2)
                            var keyLength: Int?
                            var prf: PRF?
                            while let node = pbkdf2.next() {
                                if node.identifier == .integer, keyLength == nil, prf == nil {
                                    keyLength = try Int(derEncoded: node)
                                } else if node.identifier == .sequence, prf == nil {
                                    prf = try parsePRF(node)
                                } else {
                                    throw PrivateKeyCryptoError.malformed("unexpected field in PBKDF2 parameters")
                                }
                            }
                            return (Data(salt.bytes), iterations, keyLength, prf)
                        }
                    }
                    let iv = try DER.sequence(try next(&params), identifier: .sequence) { scheme in
                        let cipher = try ASN1ObjectIdentifier(derEncoded: &scheme)
                        guard cipher == oidAES256CBC else { throw PrivateKeyCryptoError.unsupported("cipher \(cipher) is not AES-256-CBC") }
                        return Data(try ASN1OctetString(derEncoded: &scheme).bytes)
                    }
                    return (salt, iterations, keyLength, prf, iv)
                }
            }
            let data = try ASN1OctetString(derEncoded: &nodes)
            return PBES2EncryptedPrivateKey(
                salt: salt, iterations: iterations, keyLength: keyLength, prf: prf, iv: iv, encryptedData: Data(data.bytes))
        }
    }

    private static func parsePRF(_ node: ASN1Node) throws -> PRF {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            if let parameters = nodes.next(), parameters.identifier != .null {
                throw PrivateKeyCryptoError.malformed("unexpected PRF parameters")
            }
            switch oid {
            case oidHMACSHA1: return .hmacSHA1
            case oidHMACSHA256: return .hmacSHA256
            default: throw PrivateKeyCryptoError.unsupported("PBKDF2 PRF \(oid)")
            }
        }
    }

    private static func next(_ nodes: inout ASN1NodeCollection.Iterator) throws -> ASN1Node {
        guard let node = nodes.next() else { throw PrivateKeyCryptoError.malformed("structure ends early") }
        return node
    }

    /// DER in the layout swarmkit (Go's `asn1.Marshal`) produces.
    public func derEncoded() throws(PrivateKeyCryptoError) -> Data {
        var serializer = DER.Serializer()
        do {
            try serializer.appendConstructedNode(identifier: .sequence) { info in
                try info.appendConstructedNode(identifier: .sequence) { algorithm in
                    try algorithm.serialize(Self.oidPBES2)
                    try algorithm.appendConstructedNode(identifier: .sequence) { params in
                        try params.appendConstructedNode(identifier: .sequence) { kdf in
                            try kdf.serialize(Self.oidPBKDF2)
                            try kdf.appendConstructedNode(identifier: .sequence) { pbkdf2 in
                                try pbkdf2.serialize(ASN1OctetString(contentBytes: ArraySlice(salt)))
                                try pbkdf2.serialize(iterations)
                                if let keyLength { try pbkdf2.serialize(keyLength) }
                                if let prf {
                                    try pbkdf2.appendConstructedNode(identifier: .sequence) { identifier in
                                        try identifier.serialize(prf == .hmacSHA1 ? Self.oidHMACSHA1 : Self.oidHMACSHA256)
                                        try identifier.serialize(ASN1Null())
                                    }
                                }
                            }
                        }
                        try params.appendConstructedNode(identifier: .sequence) { scheme in
                            try scheme.serialize(Self.oidAES256CBC)
                            try scheme.serialize(ASN1OctetString(contentBytes: ArraySlice(iv)))
                        }
                    }
                }
                try info.serialize(ASN1OctetString(contentBytes: ArraySlice(encryptedData)))
            }
        } catch {
            throw PrivateKeyCryptoError.malformed("cannot encode EncryptedPrivateKeyInfo (\(error))")
        }
        return Data(serializer.serializedBytes)
    }

    // MARK: crypto

    /// Decrypts to the PKCS#8 `PrivateKeyInfo` DER. A wrong password is detected by the
    /// padding and by the result not being a PKCS#8 structure.
    public func decrypt(password: Data) throws(PrivateKeyCryptoError) -> Data {
        guard iterations >= 1, iterations <= Self.maximumIterations else {
            throw PrivateKeyCryptoError.unsupported("PBKDF2 iteration count \(iterations)")
        }
        if let keyLength, keyLength != 32 {
            throw PrivateKeyCryptoError.malformed("PBKDF2 key length \(keyLength) does not fit AES-256")
        }
        guard iv.count == 16 else { throw PrivateKeyCryptoError.malformed("IV must be 16 bytes, got \(iv.count)") }
        guard !encryptedData.isEmpty, encryptedData.count % 16 == 0 else {
            throw PrivateKeyCryptoError.malformed("encrypted data length \(encryptedData.count) is not a multiple of 16")
        }
        let key = try Self.deriveKey(password: password, salt: salt, iterations: iterations, prf: prf ?? .hmacSHA1)
        let padded: Data
        do {
            padded = try AES._CBC.decrypt(encryptedData, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
        } catch {
            throw PrivateKeyCryptoError.malformed("AES-CBC decryption failed")
        }
        guard let plaintext = PKCS7.unpad(padded, blockSize: 16), PrivateKeyDER.isPKCS8(plaintext) else {
            throw PrivateKeyCryptoError.wrongPassword
        }
        return plaintext
    }

    /// Encrypts a PKCS#8 `PrivateKeyInfo` DER as swarmkit does. Salt (8 bytes) and IV
    /// (16 bytes) are random unless given (given values make the output reproducible).
    public static func encrypt(
        pkcs8 der: Data, password: Data, salt: Data? = nil, iv: Data? = nil, iterations: Int = swarmkitIterations
    ) throws(PrivateKeyCryptoError) -> PBES2EncryptedPrivateKey {
        let salt = salt ?? SecureRandom.bytes(8)
        let iv = iv ?? SecureRandom.bytes(16)
        guard iv.count == 16 else { throw PrivateKeyCryptoError.malformed("IV must be 16 bytes, got \(iv.count)") }
        guard iterations >= 1, iterations <= maximumIterations else {
            throw PrivateKeyCryptoError.unsupported("PBKDF2 iteration count \(iterations)")
        }
        let key = try deriveKey(password: password, salt: salt, iterations: iterations, prf: .hmacSHA1)
        let encrypted: Data
        do {
            encrypted = try AES._CBC.encrypt(PKCS7.pad(der, blockSize: 16), using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
        } catch {
            throw PrivateKeyCryptoError.malformed("AES-CBC encryption failed")
        }
        return PBES2EncryptedPrivateKey(salt: salt, iterations: iterations, iv: iv, encryptedData: encrypted)
    }

    private static func deriveKey(password: Data, salt: Data, iterations: Int, prf: PRF) throws(PrivateKeyCryptoError) -> SymmetricKey {
        do {
            return try KDF.Insecure.PBKDF2.deriveKey(
                from: password, salt: salt, using: prf == .hmacSHA1 ? .insecureSHA1 : .sha256,
                outputByteCount: 32, unsafeUncheckedRounds: iterations)
        } catch {
            throw PrivateKeyCryptoError.malformed("PBKDF2 failed")
        }
    }
}

/// OpenSSL's legacy PEM encryption (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: AES-256-CBC,<hex IV>`),
/// used by swarmkit for `EC PRIVATE KEY` blocks: the key is OpenSSL's `EVP_BytesToKey` with MD5,
/// one iteration, salt = the first 8 IV bytes; the data has PKCS#7 padding.
public enum LegacyPEMEncryption {
    public static let procType = "4,ENCRYPTED"

    /// The cipher names of `DEK-Info` we handle and their key sizes.
    static let ciphers: [String: Int] = ["AES-128-CBC": 16, "AES-192-CBC": 24, "AES-256-CBC": 32]

    /// True when the block carries `Proc-Type: 4,ENCRYPTED` (what Go's `x509.IsEncryptedPEMBlock` checks).
    public static func isEncrypted(_ block: PEMBlock) -> Bool {
        block.header("Proc-Type") == procType
    }

    /// Decrypts the body of a legacy-encrypted block to its plain DER.
    public static func decrypt(_ block: PEMBlock, password: Data) throws(PrivateKeyCryptoError) -> Data {
        guard let info = block.header("DEK-Info") else { throw PrivateKeyCryptoError.malformed("no DEK-Info header") }
        let parts = info.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { throw PrivateKeyCryptoError.malformed("DEK-Info is not \"cipher,iv\"") }
        guard let keySize = ciphers[parts[0]] else { throw PrivateKeyCryptoError.unsupported("cipher \(parts[0])") }
        guard let iv = Self.hexDecode(parts[1]), iv.count == 16 else {
            throw PrivateKeyCryptoError.malformed("DEK-Info IV is not 16 bytes of hex")
        }
        guard !block.bytes.isEmpty, block.bytes.count % 16 == 0 else {
            throw PrivateKeyCryptoError.malformed("encrypted data length \(block.bytes.count) is not a multiple of 16")
        }
        let key = deriveKey(password: password, salt: iv.prefix(8), size: keySize)
        let padded: Data
        do {
            padded = try AES._CBC.decrypt(block.bytes, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
        } catch {
            throw PrivateKeyCryptoError.malformed("AES-CBC decryption failed")
        }
        guard let plaintext = PKCS7.unpad(padded, blockSize: 16), PrivateKeyDER.isWellFormedSequence(plaintext) else {
            throw PrivateKeyCryptoError.wrongPassword
        }
        return plaintext
    }

    /// Encrypts plain DER into a block of `type` with AES-256-CBC (as Go's `x509.EncryptPEMBlock`,
    /// lower-case hex IV). The IV is random unless given.
    public static func encrypt(type: String, der: Data, password: Data, iv: Data? = nil) throws(PrivateKeyCryptoError) -> PEMBlock {
        let iv = iv ?? SecureRandom.bytes(16)
        guard iv.count == 16 else { throw PrivateKeyCryptoError.malformed("IV must be 16 bytes, got \(iv.count)") }
        let key = deriveKey(password: password, salt: iv.prefix(8), size: 32)
        let encrypted: Data
        do {
            encrypted = try AES._CBC.encrypt(PKCS7.pad(der, blockSize: 16), using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
        } catch {
            throw PrivateKeyCryptoError.malformed("AES-CBC encryption failed")
        }
        return PEMBlock(type: type, headers: [
            PEMHeader(name: "Proc-Type", value: procType),
            PEMHeader(name: "DEK-Info", value: "AES-256-CBC," + iv.map { String(format: "%02x", $0) }.joined()),
        ], bytes: encrypted)
    }

    /// OpenSSL `EVP_BytesToKey(MD5, salt, password, count 1)`: D_i = MD5(D_{i-1} ‖ password ‖ salt).
    static func deriveKey(password: Data, salt: Data, size: Int) -> SymmetricKey {
        var key = Data()
        var previous = Data()
        while key.count < size {
            var md5 = Insecure.MD5()
            md5.update(data: previous)
            md5.update(data: password)
            md5.update(data: salt)
            previous = Data(md5.finalize())
            key.append(previous)
        }
        return SymmetricKey(data: key.prefix(size))
    }

    static func hexDecode(_ text: String) -> Data? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out = Data(capacity: digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Shape checks on plain private-key DER.
enum PrivateKeyDER {
    /// A complete DER SEQUENCE with nothing after it.
    static func isWellFormedSequence(_ der: Data) -> Bool {
        guard let node = try? DER.parse([UInt8](der)) else { return false }
        return node.identifier == .sequence
    }

    /// PKCS#8 `PrivateKeyInfo`: SEQUENCE { INTEGER version, AlgorithmIdentifier, OCTET STRING, … }.
    static func isPKCS8(_ der: Data) -> Bool {
        guard let node = try? DER.parse([UInt8](der)), node.identifier == .sequence,
              case .constructed(let children) = node.content else { return false }
        var iterator = children.makeIterator()
        guard let version = iterator.next(), version.identifier == .integer,
              let algorithm = iterator.next(), algorithm.identifier == .sequence,
              let key = iterator.next(), key.identifier == .octetString else { return false }
        return true
    }
}
