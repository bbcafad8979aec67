import Foundation
import SwarmProto

/// The raft data encryption keys kept in the headers of `swarm-node.key`:
/// `raft-dek` (current), `raft-dek-pending` and `raft-dek-needs-rotation`.
///
/// Each DEK header is standard base64 of a marshaled `MaybeEncryptedRecord` holding the
/// 32-byte DEK: clear (algorithm NONE) when the swarm is not autolocked, encrypted with the
/// KEK otherwise (secretbox; Fernet in FIPS clusters).
public struct RaftDEKs: Sendable, Equatable {
    public static let currentHeader = "raft-dek"
    public static let pendingHeader = "raft-dek-pending"
    public static let needsRotationHeader = "raft-dek-needs-rotation"

    /// The DEK raft data is written with (nil on workers, whose key file has no DEK).
    public var current: EncryptionKey?
    /// A DEK rotation in progress: the new key.
    public var pending: EncryptionKey?
    /// `raft-dek-needs-rotation` is present (its value is not looked at, as in swarmkit).
    public var needsRotation: Bool
    /// How the `raft-dek` header was stored: `.none` = clear, else the KEK's algorithm;
    /// nil when there was no header (or the value was built in memory).
    public var storedAlgorithm: RaftEncryptionAlgorithm?

    public init(current: EncryptionKey?, pending: EncryptionKey? = nil, needsRotation: Bool = false,
                storedAlgorithm: RaftEncryptionAlgorithm? = nil) {
        self.current = current
        self.pending = pending
        self.needsRotation = needsRotation
        self.storedAlgorithm = storedAlgorithm
    }

    /// True when the DEK headers are encrypted with a KEK (the swarm is autolocked).
    public var isEncrypted: Bool {
        guard let storedAlgorithm else { return false }
        return storedAlgorithm != .none
    }

    /// The cipher for this node's raft data (nil when there is no DEK).
    public func raftCipher(fips: Bool) -> RaftCipher? {
        current.map { RaftCipher(current: $0, pending: pending, fips: fips) }
    }

    // MARK: reading

    /// How a DEK header value is stored, without decrypting it.
    public static func storedAlgorithm(ofHeaderValue value: String) -> RaftEncryptionAlgorithm? {
        guard let bytes = Base64Text.decodeStandard(value),
              let record = try? SwarmMaybeEncryptedRecord(serializedBytes: bytes) else { return nil }
        return record.encryptionAlgorithm
    }

    /// Reads the DEK headers of a node key PEM block. `kek` is needed when they are encrypted:
    /// without it this throws `.locked`, with a KEK that does not fit `.wrongUnlockKey`.
    /// A KEK given for clear headers is not used.
    public static func decode(_ block: PEMBlock, kek: EncryptionKey?, file: String = "swarm-node.key") throws(KeyMaterialError) -> RaftDEKs {
        var result = RaftDEKs(current: nil)
        if let value = block.header(currentHeader) {
            let decoded = try decodeHeader(value, name: currentHeader, kek: kek, file: file)
            result.current = decoded.key
            result.storedAlgorithm = decoded.algorithm
        }
        if let value = block.header(pendingHeader) {
            result.pending = try decodeHeader(value, name: pendingHeader, kek: kek, file: file).key
        }
        if result.pending != nil, result.current == nil {
            throw KeyMaterialError.malformed(file: file, reason: "there is a pending DEK, but no current DEK")
        }
        result.needsRotation = block.header(needsRotationHeader) != nil
        return result
    }

    private static func decodeHeader(_ value: String, name: String, kek: EncryptionKey?, file: String) throws(KeyMaterialError) -> (key: EncryptionKey, algorithm: RaftEncryptionAlgorithm) {
        guard let bytes = Base64Text.decodeStandard(value) else {
            throw KeyMaterialError.malformed(file: file, reason: "header \(name) is not base64")
        }
        let record: SwarmMaybeEncryptedRecord
        do {
            record = try RaftCipher.record(from: bytes)
        } catch {
            throw KeyMaterialError.malformed(file: file, reason: "header \(name) is not a MaybeEncryptedRecord")
        }
        let algorithm = record.encryptionAlgorithm
        let plaintext: Data
        switch algorithm {
        case .none:
            plaintext = record.data
        case .secretbox, .fernet:
            guard let kek else { throw KeyMaterialError.locked(file: file) }
            do {
                plaintext = try RaftCipher.decrypt(record, key: kek)
            } catch .authenticationFailed {
                throw KeyMaterialError.wrongUnlockKey(file: file)
            } catch {
                throw KeyMaterialError.malformed(file: file, reason: "header \(name): \(error)")
            }
        case .unrecognized:
            throw KeyMaterialError.unsupported(file: file, reason: "header \(name) is encrypted with \(algorithm)")
        }
        guard plaintext.count == EncryptionKey.byteCount else {
            throw KeyMaterialError.malformed(file: file, reason: "header \(name) holds \(plaintext.count) bytes, a DEK has 32")
        }
        return (EncryptionKey(unchecked: plaintext), algorithm)
    }

    // MARK: writing

    /// The headers swarmkit would write for these DEKs: encrypted with `kek` when given
    /// (secretbox, or Fernet when `fips`), clear otherwise. `kek-version` is not included.
    public func headers(kek: EncryptionKey?, fips: Bool) throws(RaftCryptoError) -> [PEMHeader] {
        let algorithm: RaftEncryptionAlgorithm = kek == nil ? .none : (fips ? .fernet : .secretbox)
        var headers: [PEMHeader] = []
        for (name, key) in [(Self.currentHeader, current), (Self.pendingHeader, pending)] {
            guard let key else { continue }
            let record = try RaftCipher.encrypt(key.bytes, key: kek, algorithm: algorithm)
            headers.append(PEMHeader(name: name, value: Base64Text.encodeStandard(try RaftCipher.serialize(record))))
        }
        if needsRotation {
            headers.append(PEMHeader(name: Self.needsRotationHeader, value: "true"))
        }
        return headers
    }
}
