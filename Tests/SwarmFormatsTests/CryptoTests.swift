import Foundation
import SwarmFormats
import SwarmProto
import SwarmTestSupport
import Testing

@Suite struct CryptoTests {
    static let keyA = try! EncryptionKey(bytes: Data(repeating: 0xA5, count: 32))
    static let keyB = try! EncryptionKey(bytes: Data((0..<32).map { UInt8($0) }))

    // MARK: secretbox

    @Test func secretboxRoundTrip() throws {
        let plaintext = Data("raft entry payload".utf8)
        let record = try RaftCipher(key: Self.keyA).encrypt(plaintext)
        #expect(record.encryptionAlgorithm == .secretbox)
        #expect(record.nonce.count == 24)
        #expect(record.data.count == plaintext.count + 16)
        #expect(try RaftCipher(key: Self.keyA).decrypt(record) == plaintext)
        // Fresh nonce each time.
        #expect(try RaftCipher(key: Self.keyA).encrypt(plaintext).nonce != record.nonce)
        // Empty plaintext works too.
        let empty = try RaftCipher(key: Self.keyA).encrypt(Data())
        #expect(try RaftCipher(key: Self.keyA).decrypt(empty) == Data())
    }

    @Test func secretboxRejectsWrongKeyTamperingAndBadNonce() throws {
        let record = try RaftCipher(key: Self.keyA).encrypt(Data("secret".utf8))
        #expect(throws: RaftCryptoError.authenticationFailed(.secretbox)) { try RaftCipher(key: Self.keyB).decrypt(record) }
        var tampered = record
        tampered.data[tampered.data.startIndex + 20] ^= 1
        #expect(throws: RaftCryptoError.authenticationFailed(.secretbox)) { try RaftCipher(key: Self.keyA).decrypt(tampered) }
        var shortNonce = record
        shortNonce.nonce = Data(count: 12)
        #expect(throws: RaftCryptoError.invalidNonceLength(12)) { try RaftCipher(key: Self.keyA).decrypt(shortNonce) }
        var truncated = record
        truncated.data = Data(count: 5)
        #expect(throws: RaftCryptoError.self) { try RaftCipher(key: Self.keyA).decrypt(truncated) }
    }

    @Test func secretboxFixedNonceIsDeterministic() throws {
        let nonce = Data(repeating: 7, count: 24)
        let box = SecretboxCipher(key: Self.keyB)
        let one = try box.seal(Data("abc".utf8), nonce: nonce)
        let two = try box.seal(Data("abc".utf8), nonce: nonce)
        #expect(one.sealed == two.sealed)
        #expect(try box.open(one.sealed, nonce: nonce) == Data("abc".utf8))
    }

    // MARK: Fernet

    /// Made independently with Python `cryptography` 48:
    /// `Fernet(urlsafe_b64encode(bytes(range(32))))._encrypt_from_parts(msg, 1700000000, bytes(range(100, 116)))`.
    static let pythonToken = "gAAAAABlU_EAZGVmZ2hpamtsbW5vcHFycw3D1-oz3LPyRniw_KfUYvhocHS4mGgpsm7wbCyrc9Pfe4eOH5KJhTzLFikoKB_kDWB4bo9I5Ana20iF7b690q1l1r6Mms8p98R2embEhaL0"
    static let pythonMessage = "swarmsafe fernet vector: hello, raft!"
    /// `Fernet(same key).encrypt_at_time(b"", 1234567890)` (random IV).
    static let pythonEmptyToken = "gAAAAABJlgLS4X_f0LTgMNJ7cvrm-VKOcy6YW5AdsO8OeYwYjkPKecsug4qv-qYSOs32oaaSlum-iPLqz7t5mXhjS7NeIDkcZA=="

    @Test func fernetDecryptsPythonVector() throws {
        let fernet = FernetCipher(key: Self.keyB)
        #expect(try fernet.open(Data(Self.pythonToken.utf8)) == Data(Self.pythonMessage.utf8))
        #expect(try fernet.open(Data(Self.pythonEmptyToken.utf8)) == Data())
        #expect(FernetCipher.timestamp(of: Data(Self.pythonToken.utf8)) == Date(timeIntervalSince1970: 1_700_000_000))
        // Old tokens are accepted: no TTL, as swarmkit.
        var record = SwarmMaybeEncryptedRecord()
        record.encryptionAlgorithm = .fernet
        record.data = Data(Self.pythonToken.utf8)
        #expect(try RaftCipher(key: Self.keyB).decrypt(record) == Data(Self.pythonMessage.utf8))
    }

    @Test func fernetReproducesPythonVector() throws {
        let token = try FernetCipher(key: Self.keyB).seal(
            Data(Self.pythonMessage.utf8), timestamp: 1_700_000_000, iv: Data((100..<116).map { UInt8($0) }))
        #expect(String(decoding: token, as: UTF8.self) == Self.pythonToken)
    }

    @Test func fernetRoundTripAndFailures() throws {
        let cipher = RaftCipher(key: Self.keyA, fips: true)
        #expect(cipher.encryptionAlgorithm == .fernet)
        let record = try cipher.encrypt(Data("fips payload".utf8))
        #expect(record.encryptionAlgorithm == .fernet)
        #expect(record.nonce.isEmpty)
        // URL-safe base64 with padding.
        let text = String(decoding: record.data, as: UTF8.self)
        #expect(text.count % 4 == 0)
        #expect(!text.contains("+") && !text.contains("/"))
        #expect(try cipher.decrypt(record) == Data("fips payload".utf8))
        // A non-FIPS cipher decrypts Fernet records too.
        #expect(try RaftCipher(key: Self.keyA).decrypt(record) == Data("fips payload".utf8))
        #expect(throws: RaftCryptoError.authenticationFailed(.fernet)) { try RaftCipher(key: Self.keyB).decrypt(record) }
        var tampered = record
        tampered.data[tampered.data.startIndex + 30] = tampered.data[tampered.data.startIndex + 30] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: RaftCryptoError.self) { try cipher.decrypt(tampered) }
        var garbage = record
        garbage.data = Data("not a token!".utf8)
        #expect(throws: RaftCryptoError.self) { try cipher.decrypt(garbage) }
    }

    // MARK: RaftCipher

    @Test func noneRecordsPassThroughAndUnknownAlgorithmsFail() throws {
        var clear = SwarmMaybeEncryptedRecord()
        clear.data = Data("plain".utf8)
        #expect(try RaftCipher(key: Self.keyA).decrypt(clear) == Data("plain".utf8))
        var unknown = SwarmMaybeEncryptedRecord()
        unknown.encryptionAlgorithm = .unrecognized(9)
        #expect(throws: RaftCryptoError.unsupportedAlgorithm(.unrecognized(9))) { try RaftCipher(key: Self.keyA).decrypt(unknown) }
        #expect(throws: RaftCryptoError.self) { try RaftCipher(key: Self.keyA).decrypt(serialized: Data([0xFF, 0xFF, 0xFF])) }
    }

    @Test func multiKeyDecrypterTriesPendingAndCurrent() throws {
        let current = Self.keyA
        let pending = Self.keyB
        let cipher = RaftCipher(current: current, pending: pending)
        #expect(cipher.keys == [pending, current])
        let old = try RaftCipher(key: current).encryptSerialized(Data("old".utf8))
        let new = try RaftCipher(key: pending).encryptSerialized(Data("new".utf8))
        #expect(try cipher.decrypt(serialized: old) == Data("old".utf8))
        #expect(try cipher.decrypt(serialized: new) == Data("new".utf8))
        // Encrypts with the pending key, as swarmkit does during a rotation.
        #expect(try RaftCipher(key: pending).decrypt(serialized: cipher.encryptSerialized(Data("x".utf8))) == Data("x".utf8))
        let stranger = try RaftCipher(key: EncryptionKey.random()).encryptSerialized(Data("?".utf8))
        #expect(throws: RaftCryptoError.authenticationFailed(.secretbox)) { try cipher.decrypt(serialized: stranger) }
    }

    @Test func keysNeverAppearInDescriptions() throws {
        let key = Self.keyB
        #expect(!"\(key)".contains("AAECAw"))
        #expect("\(key)".contains("redacted"))
        #expect(String(reflecting: key).contains("redacted"))
        #expect(key.fingerprint.count == 8)
        #expect(throws: RaftCryptoError.invalidKeyLength(16)) { try EncryptionKey(bytes: Data(count: 16)) }
    }

    // MARK: real data

    /// The snapshot files of real managers decrypt with the DEK from their key file, and the
    /// plaintext is an `api.Snapshot` naming the cluster's managers.
    @Test("snapshot data decrypts with the node's DEK", arguments: [
        ("ha-3mgr-snapshot", "manager-1"), ("ha-3mgr-snapshot", "manager-2"), ("ha-3mgr-snapshot", "manager-3"),
        ("autolock-3mgr", "manager-1"), ("autolock-3mgr", "manager-2"), ("autolock-3mgr", "manager-3"),
        ("after-force-new-cluster", "manager-2"),
    ])
    func snapshotDecrypts(scenario: String, node: String) throws {
        let folder = Fixtures.folder(scenario, node)
        let unlockKey = try Fixtures.unlockKey(scenario).map { try UnlockKey(text: $0) }
        let material = try NodeKeys.load(stateDirectory: folder, unlockKey: unlockKey)
        let cipher = try #require(material.deks.raftCipher(fips: false))
        let loaded = try SnapshotReader(directory: folder.appendingPathComponent("raft/snap-v3-encrypted")).loadNewest()
        let snapshot = try #require(loaded.snapshot)
        let record = try RaftCipher.record(from: snapshot.snapshot.data)
        #expect(record.encryptionAlgorithm == .secretbox)
        let plaintext = try cipher.decrypt(record)
        #expect(!plaintext.isEmpty)
        #expect(ProtobufWire.isWellFormed(plaintext))
        // api.Snapshot: version 1 (varint, omitted when 0), membership 2, store 3.
        #expect(ProtobufWire.topLevelFields(plaintext).allSatisfy { [1, 2, 3].contains($0) })
        // The membership lists the managers' node IDs.
        let expected = try Fixtures.expected(scenario)
        let nodes = try #require(expected["nodes"] as? [String: String])
        let roles = try #require(expected["roles"] as? [String: String])
        for (name, id) in nodes where roles[name] == "manager" {
            #expect(plaintext.range(of: Data(id.utf8)) != nil, "node \(id) not in the snapshot")
        }
        // A different key cannot read it.
        #expect(throws: RaftCryptoError.authenticationFailed(.secretbox)) { try RaftCipher(key: .random()).decrypt(record) }
    }

    /// Every WAL entry with data decrypts (secretbox, or Fernet in the FIPS cluster).
    @Test("WAL entries decrypt with the node's DEK", arguments: Fixtures.readManagers + [
        ("fresh-init", "manager-1"), ("fresh-init-autolock", "manager-1"), ("after-force-new-cluster", "manager-2"),
    ])
    func walEntriesDecrypt(scenario: String, node: String) throws {
        let folder = Fixtures.folder(scenario, node)
        let expected = try Fixtures.expected(scenario)
        let fips = expected["fips"] as? Bool ?? false
        let unlockKey = try Fixtures.unlockKey(scenario).map { try UnlockKey(text: $0) }
        let material = try NodeKeys.load(stateDirectory: folder, unlockKey: unlockKey)
        let cipher = try #require(material.deks.raftCipher(fips: fips))
        let snapshot = try SnapshotReader(directory: folder.appendingPathComponent("raft/snap-v3-encrypted")).loadNewest().snapshot
        let start = snapshot.map { WALStart(index: $0.index, term: $0.term) } ?? WALStart()
        let wal = try WALReader(directory: folder.appendingPathComponent("raft/wal-v3-encrypted")).readAll(from: start)
        var decrypted = 0
        for stored in wal.entries {
            let data = try wal.raftEntry(stored).data
            guard !data.isEmpty else { continue }
            let record = try RaftCipher.record(from: data)
            #expect(record.encryptionAlgorithm == (fips ? .fernet : .secretbox))
            let plaintext = try cipher.decrypt(record)
            #expect(ProtobufWire.isWellFormed(plaintext))
            decrypted += 1
        }
        #expect(decrypted > 0)
    }
}

/// A minimal protobuf wire-format walker, to check that decrypted bytes are a message.
enum ProtobufWire {
    static func isWellFormed(_ data: Data) -> Bool {
        topLevelFieldsOrNil(data) != nil
    }

    static func topLevelFields(_ data: Data) -> [UInt64] {
        topLevelFieldsOrNil(data) ?? []
    }

    private static func topLevelFieldsOrNil(_ data: Data) -> [UInt64]? {
        let bytes = [UInt8](data)
        var index = 0
        var fields: [UInt64] = []
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while index < bytes.count {
            guard let key = varint(), key >> 3 != 0 else { return nil }
            fields.append(key >> 3)
            switch key & 7 {
            case 0: guard varint() != nil else { return nil }
            case 1: index += 8
            case 2:
                guard let length = varint(), length <= UInt64(bytes.count - index) else { return nil }
                index += Int(length)
            case 5: index += 4
            default: return nil
            }
            guard index <= bytes.count else { return nil }
        }
        return fields
    }
}
