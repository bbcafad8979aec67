import Foundation
import SwarmProto
import SwiftProtobuf

/// Encrypts and decrypts raft data (`raftpb.Entry.data`, `raftpb.Snapshot.data`) and DEK
/// headers the way swarmkit does, as `api.MaybeEncryptedRecord`s.
///
/// - Encryption uses the first key: NaCl secretbox, or Fernet when `fips` is set.
/// - Decryption picks the algorithm from the record and tries every key in order (swarmkit's
///   multi-decrypter, used while a DEK rotation is pending). Both secretbox and Fernet
///   records are accepted whatever `fips` says (swarmkit's FIPS mode would refuse
///   secretbox; an offline reader has no reason to). `NONE` records return their data.
public struct RaftCipher: RaftPayloadDecrypter {
    /// Keys in the order they are tried; the first one encrypts.
    public let keys: [EncryptionKey]
    /// Encrypt with Fernet instead of secretbox (FIPS clusters, cluster ID `FIPS.…`).
    public let fips: Bool

    public init(key: EncryptionKey, fips: Bool = false) {
        self.keys = [key]
        self.fips = fips
    }

    /// A cipher for a node's raft data given its DEK headers. With a pending DEK, swarmkit
    /// encrypts with the pending key and decrypts with the pending key, then the current one.
    public init(current: EncryptionKey, pending: EncryptionKey?, fips: Bool = false) {
        self.keys = pending.map { [$0, current] } ?? [current]
        self.fips = fips
    }

    /// Keys tried in order (the first encrypts). An empty list only handles `NONE` records.
    public init(keys: [EncryptionKey], fips: Bool = false) {
        self.keys = keys
        self.fips = fips
    }

    /// The algorithm `encrypt` uses.
    public var encryptionAlgorithm: RaftEncryptionAlgorithm { fips ? .fernet : .secretbox }

    // MARK: records

    public func encrypt(_ plaintext: Data) throws(RaftCryptoError) -> SwarmMaybeEncryptedRecord {
        guard let key = keys.first else { throw RaftCryptoError.noKey }
        return try Self.encrypt(plaintext, key: key, algorithm: encryptionAlgorithm)
    }

    public func decrypt(_ record: SwarmMaybeEncryptedRecord) throws(RaftCryptoError) -> Data {
        let algorithm = record.encryptionAlgorithm
        switch algorithm {
        case .none:
            return record.data
        case .secretbox, .fernet:
            break
        case .unrecognized:
            throw RaftCryptoError.unsupportedAlgorithm(algorithm)
        }
        guard !keys.isEmpty else { throw RaftCryptoError.noKey }
        var lastError = RaftCryptoError.noKey
        for key in keys {
            do {
                return try Self.decrypt(record, key: key)
            } catch {
                lastError = error
                // A malformed record fails the same way under every key.
                if case .authenticationFailed = error { continue }
                throw error
            }
        }
        throw lastError
    }

    // MARK: marshaled records

    /// Decrypts marshaled `MaybeEncryptedRecord` bytes, as stored in entries and snapshots.
    public func decrypt(serialized bytes: Data) throws(RaftCryptoError) -> Data {
        try decrypt(Self.record(from: bytes))
    }

    /// `RaftPayloadDecrypter`: stored entry/snapshot data (a marshaled record) → plaintext.
    public func decrypt(_ stored: Data) throws -> Data {
        try decrypt(serialized: stored)
    }

    /// Encrypts and marshals, ready to store as entry or snapshot data.
    public func encryptSerialized(_ plaintext: Data) throws(RaftCryptoError) -> Data {
        try Self.serialize(encrypt(plaintext))
    }

    public static func record(from bytes: Data) throws(RaftCryptoError) -> SwarmMaybeEncryptedRecord {
        do {
            return try SwarmMaybeEncryptedRecord(serializedBytes: bytes)
        } catch {
            throw RaftCryptoError.notAnEncryptedRecord(reason: "\(error)")
        }
    }

    public static func serialize(_ record: SwarmMaybeEncryptedRecord) throws(RaftCryptoError) -> Data {
        do {
            return try record.serializedBytes()
        } catch {
            throw RaftCryptoError.libraryFailure("cannot marshal MaybeEncryptedRecord: \(error)")
        }
    }

    // MARK: single key

    /// Encrypts with one key and algorithm; `.none` stores the plaintext as is.
    public static func encrypt(_ plaintext: Data, key: EncryptionKey?, algorithm: RaftEncryptionAlgorithm) throws(RaftCryptoError) -> SwarmMaybeEncryptedRecord {
        var record = SwarmMaybeEncryptedRecord()
        record.encryptionAlgorithm = algorithm
        switch algorithm {
        case .none:
            record.data = plaintext
        case .secretbox:
            guard let key else { throw RaftCryptoError.noKey }
            let sealed = try SecretboxCipher(key: key).seal(plaintext)
            record.data = sealed.sealed
            record.nonce = sealed.nonce
        case .fernet:
            guard let key else { throw RaftCryptoError.noKey }
            record.data = try FernetCipher(key: key).seal(plaintext)
        case .unrecognized:
            throw RaftCryptoError.unsupportedAlgorithm(algorithm)
        }
        return record
    }

    /// Decrypts with one key, whatever the record's algorithm.
    public static func decrypt(_ record: SwarmMaybeEncryptedRecord, key: EncryptionKey) throws(RaftCryptoError) -> Data {
        let algorithm = record.encryptionAlgorithm
        switch algorithm {
        case .none:
            return record.data
        case .secretbox:
            return try SecretboxCipher(key: key).open(record.data, nonce: record.nonce)
        case .fernet:
            return try FernetCipher(key: key).open(record.data)
        case .unrecognized:
            throw RaftCryptoError.unsupportedAlgorithm(algorithm)
        }
    }
}

extension SwarmMaybeEncryptedRecord {
    /// The record's algorithm as `RaftEncryptionAlgorithm`.
    public var encryptionAlgorithm: RaftEncryptionAlgorithm {
        get { RaftEncryptionAlgorithm(rawValue: algorithm.rawValue) }
        set { algorithm = Algorithm(rawValue: newValue.rawValue) ?? .UNRECOGNIZED(newValue.rawValue) }
    }
}
