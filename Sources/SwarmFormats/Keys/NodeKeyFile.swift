import Crypto
import Foundation

/// How the private key in a node key file is stored.
public enum NodePrivateKeyFormat: Sendable, Equatable, CustomStringConvertible {
    /// `PRIVATE KEY`: PKCS#8, clear.
    case pkcs8
    /// `ENCRYPTED PRIVATE KEY`: PKCS#8 PBES2, encrypted with the KEK (autolocked swarm).
    case encryptedPKCS8
    /// `EC PRIVATE KEY`: SEC 1 (legacy), clear.
    case sec1
    /// `EC PRIVATE KEY` with `Proc-Type: 4,ENCRYPTED` (legacy OpenSSL PEM encryption).
    case encryptedSEC1

    public var isEncrypted: Bool { self == .encryptedPKCS8 || self == .encryptedSEC1 }

    /// The block type of the plain (decrypted) form.
    public var plainBlockType: String {
        switch self {
        case .pkcs8, .encryptedPKCS8: "PRIVATE KEY"
        case .sec1, .encryptedSEC1: "EC PRIVATE KEY"
        }
    }

    public var description: String {
        switch self {
        case .pkcs8: "PKCS#8"
        case .encryptedPKCS8: "encrypted PKCS#8 (PBES2)"
        case .sec1: "SEC 1 (EC PRIVATE KEY)"
        case .encryptedSEC1: "encrypted SEC 1 (OpenSSL PEM encryption)"
        }
    }
}

/// A node's private key in plain DER, in the format it was stored in.
public struct PlainPrivateKey: Sendable, Equatable {
    /// PKCS#8 `PrivateKeyInfo` or SEC 1 `ECPrivateKey`, per `isPKCS8`.
    public var der: Data
    public var isPKCS8: Bool

    public init(der: Data, isPKCS8: Bool) {
        self.der = der
        self.isPKCS8 = isPKCS8
    }

    public var blockType: String { isPKCS8 ? "PRIVATE KEY" : "EC PRIVATE KEY" }

    /// The key as a P-256 signing key.
    public func signingKey() throws(PrivateKeyCryptoError) -> P256.Signing.PrivateKey {
        do {
            return try P256.Signing.PrivateKey(derRepresentation: der)
        } catch {
            throw PrivateKeyCryptoError.malformed("not an EC P-256 private key")
        }
    }
}

/// `certificates/swarm-node.key` as it is on disk: one PEM block whose headers carry
/// `kek-version` and the raft DEKs. Reading never changes the file; the original block
/// (headers in file order) stays in `block`.
public struct NodeKeyFile: Sendable, Equatable {
    public static let kekVersionHeader = "kek-version"
    public static let relativePath = "certificates/swarm-node.key"

    /// The PEM block as read.
    public let block: PEMBlock
    /// Where it was read from (used in error messages).
    public let file: String
    public let format: NodePrivateKeyFormat

    public init(block: PEMBlock, file: String = "swarm-node.key") throws(KeyMaterialError) {
        self.block = block
        self.file = file
        switch block.type {
        case "PRIVATE KEY":
            format = .pkcs8
        case "ENCRYPTED PRIVATE KEY":
            format = .encryptedPKCS8
        case "EC PRIVATE KEY":
            format = LegacyPEMEncryption.isEncrypted(block) ? .encryptedSEC1 : .sec1
        default:
            throw KeyMaterialError.unsupported(file: file, reason: "PEM block type \"\(block.type)\" is not a private key")
        }
    }

    public static func parse(_ data: Data, file: String = "swarm-node.key") throws(KeyMaterialError) -> NodeKeyFile {
        let block: PEMBlock
        do {
            block = try PEMBlock.parse(data)
        } catch {
            throw KeyMaterialError.malformed(file: file, reason: error.description)
        }
        return try NodeKeyFile(block: block, file: file)
    }

    public static func read(path: String) throws(KeyMaterialError) -> NodeKeyFile {
        guard FileManager.default.fileExists(atPath: path) else { throw KeyMaterialError.missing(file: path) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw KeyMaterialError.unreadable(file: path, reason: "\(error.localizedDescription)")
        }
        return try parse(data, file: path)
    }

    /// `kek-version` as swarmkit reads it (0 when absent or not a number).
    public var kekVersion: UInt64 {
        block.header(Self.kekVersionHeader).flatMap { UInt64($0) } ?? 0
    }

    /// How the `raft-dek` header is stored (nil when there is none or it is unreadable).
    public var dekAlgorithm: RaftEncryptionAlgorithm? {
        block.header(RaftDEKs.currentHeader).flatMap(RaftDEKs.storedAlgorithm(ofHeaderValue:))
    }

    /// True when the swarm is autolocked: the private key or the DEK headers need the KEK.
    public var isLocked: Bool {
        if format.isEncrypted { return true }
        if let algorithm = dekAlgorithm, algorithm != .none { return true }
        return false
    }

    /// The raft DEKs (see `RaftDEKs.decode`).
    public func deks(unlockKey: UnlockKey?) throws(KeyMaterialError) -> RaftDEKs {
        try RaftDEKs.decode(block, kek: unlockKey?.kek, file: file)
    }

    /// The private key in plain DER, decrypting it with the unlock key when it is encrypted.
    public func plainPrivateKey(unlockKey: UnlockKey?) throws(KeyMaterialError) -> PlainPrivateKey {
        switch format {
        case .pkcs8:
            return PlainPrivateKey(der: block.bytes, isPKCS8: true)
        case .sec1:
            return PlainPrivateKey(der: block.bytes, isPKCS8: false)
        case .encryptedPKCS8:
            guard let unlockKey else { throw KeyMaterialError.locked(file: file) }
            do {
                let info = try PBES2EncryptedPrivateKey(derEncoded: block.bytes)
                return PlainPrivateKey(der: try info.decrypt(password: unlockKey.kek.bytes), isPKCS8: true)
            } catch {
                throw map(error)
            }
        case .encryptedSEC1:
            guard let unlockKey else { throw KeyMaterialError.locked(file: file) }
            do {
                return PlainPrivateKey(der: try LegacyPEMEncryption.decrypt(block, password: unlockKey.kek.bytes), isPKCS8: false)
            } catch {
                throw map(error)
            }
        }
    }

    /// Everything in the file, decrypted. Without a key an autolocked file throws `.locked`;
    /// with a key that does not fit, `.wrongUnlockKey`. A key given for a file that is not
    /// locked is ignored.
    public func unlock(with unlockKey: UnlockKey?) throws(KeyMaterialError) -> NodeKeys {
        if isLocked, unlockKey == nil { throw KeyMaterialError.locked(file: file) }
        let deks = try deks(unlockKey: unlockKey)
        let plain = try plainPrivateKey(unlockKey: unlockKey)
        let signingKey: P256.Signing.PrivateKey
        do {
            signingKey = try plain.signingKey()
        } catch {
            throw map(error)
        }
        return NodeKeys(keyFile: self, deks: deks, plainPrivateKey: plain, privateKey: signingKey)
    }

    private func map(_ error: PrivateKeyCryptoError) -> KeyMaterialError {
        switch error {
        case .wrongPassword: .wrongUnlockKey(file: file)
        case .malformed(let reason): .malformed(file: file, reason: reason)
        case .unsupported(let reason): .unsupported(file: file, reason: reason)
        }
    }

    // MARK: writing

    /// The PEM block swarmkit would write for this key material: with a KEK the private key is
    /// encrypted (PKCS#8 → `ENCRYPTED PRIVATE KEY`, SEC 1 → legacy PEM encryption) and the DEK
    /// headers are encrypted (Fernet when `fips`); without one everything is clear. Headers are
    /// in Go's order when encoded (`PEMBlock.encoded()`).
    public static func makeBlock(
        privateKey: PlainPrivateKey, deks: RaftDEKs, kek: EncryptionKey?, kekVersion: UInt64, fips: Bool
    ) throws(KeyMaterialError) -> PEMBlock {
        let file = relativePath
        var block: PEMBlock
        if let kek {
            do {
                if privateKey.isPKCS8 {
                    let info = try PBES2EncryptedPrivateKey.encrypt(pkcs8: privateKey.der, password: kek.bytes)
                    block = PEMBlock(type: "ENCRYPTED PRIVATE KEY", bytes: try info.derEncoded())
                } else {
                    guard !fips else {
                        throw KeyMaterialError.unsupported(file: file, reason: "FIPS clusters cannot encrypt an EC PRIVATE KEY; convert it to PKCS#8")
                    }
                    block = try LegacyPEMEncryption.encrypt(type: "EC PRIVATE KEY", der: privateKey.der, password: kek.bytes)
                }
            } catch let error as KeyMaterialError {
                throw error
            } catch let error as PrivateKeyCryptoError {
                throw KeyMaterialError.malformed(file: file, reason: error.description)
            } catch {
                throw KeyMaterialError.malformed(file: file, reason: "\(error)")
            }
        } else {
            block = PEMBlock(type: privateKey.blockType, bytes: privateKey.der)
        }
        do {
            for header in try deks.headers(kek: kek, fips: fips) {
                block.setHeader(header.name, header.value)
            }
        } catch {
            throw KeyMaterialError.malformed(file: file, reason: "cannot encode DEK headers: \(error)")
        }
        block.setHeader(kekVersionHeader, String(kekVersion))
        block.headers = PEMBlock.goHeaderOrder(block.headers)
        return block
    }
}

/// A node's key material, unlocked: raft DEKs, private key, lock state.
public struct NodeKeys: Sendable {
    /// The file as read (original headers and bytes).
    public let keyFile: NodeKeyFile
    public let deks: RaftDEKs
    /// The private key in plain DER, in its stored format.
    public let plainPrivateKey: PlainPrivateKey
    public let privateKey: P256.Signing.PrivateKey

    /// The swarm is autolocked (the file needed the KEK).
    public var isLocked: Bool { keyFile.isLocked }
    public var kekVersion: UInt64 { keyFile.kekVersion }
    public var format: NodePrivateKeyFormat { keyFile.format }
    public var currentDEK: EncryptionKey? { deks.current }
    public var pendingDEK: EncryptionKey? { deks.pending }
    public var needsRotation: Bool { deks.needsRotation }
    /// How the DEK headers are stored (`.none` = clear), nil without a `raft-dek` header.
    public var dekAlgorithm: RaftEncryptionAlgorithm? { deks.storedAlgorithm }

    /// Decrypts this node's raft payloads (pending DEK first, then current; any algorithm).
    /// Without a DEK (a worker's key file) it only passes clear records through.
    public var raftDecrypter: RaftCipher {
        deks.raftCipher(fips: false) ?? RaftCipher(keys: [], fips: false)
    }

    /// The cipher to write this node's raft data with (Fernet when `fips`); nil without a DEK.
    public func raftCipher(fips: Bool) -> RaftCipher? {
        deks.raftCipher(fips: fips)
    }

    /// Reads and unlocks a `swarm-node.key` file.
    public static func load(keyFile: URL, unlockKey: UnlockKey?) throws(KeyMaterialError) -> NodeKeys {
        try NodeKeyFile.read(path: keyFile.path).unlock(with: unlockKey)
    }

    /// Reads and unlocks `<stateDirectory>/certificates/swarm-node.key`.
    public static func load(stateDirectory: URL, unlockKey: UnlockKey?) throws(KeyMaterialError) -> NodeKeys {
        try load(keyFile: stateDirectory.appendingPathComponent(NodeKeyFile.relativePath), unlockKey: unlockKey)
    }
}
