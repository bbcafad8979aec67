import Crypto
import Foundation
import SwarmFormats
import SwarmProto
import SwarmTestSupport
import Testing

@Suite struct KeysTests {
    static let autolockKey = "SWMKEY-1-DUEKhY12fUqBWFejof5Pq5FKHKXMmQiQo2RCYCVvOy8"
    /// Well-formed, 32 bytes, but not the cluster's key.
    static let wrongKey = "SWMKEY-1-AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

    static func keyFile(_ scenario: String, _ node: String) throws -> NodeKeyFile {
        try NodeKeyFile.read(path: Fixtures.folder(scenario, node).appendingPathComponent(NodeKeyFile.relativePath).path)
    }

    static func rawKeyFile(_ scenario: String, _ node: String) throws -> Data {
        try Data(contentsOf: Fixtures.folder(scenario, node).appendingPathComponent(NodeKeyFile.relativePath))
    }

    /// Every node folder present in the fixtures, with its scenario's expected.json facts.
    static let allNodes: [(String, String)] = {
        var result: [(String, String)] = []
        for scenario in ["single-manager", "ha-3mgr-snapshot", "autolock-3mgr", "fips-1mgr",
                         "fresh-init", "fresh-init-autolock", "after-force-new-cluster"] {
            let nodes = (try? Fixtures.expected(scenario))?["nodes"] as? [String: String] ?? [:]
            for name in nodes.keys.sorted()
            where FileManager.default.fileExists(atPath: Fixtures.folder(scenario, name).path) {
                result.append((scenario, name))
            }
        }
        return result
    }()

    // MARK: unlock key

    @Test func unlockKeyParsesAndRenders() throws {
        let key = try UnlockKey(text: Self.autolockKey)
        #expect(key.kek.bytes.count == 32)
        #expect(key.text == Self.autolockKey)
        #expect(try UnlockKey(text: "  \(Self.autolockKey)\n") == key)
        #expect(try UnlockKey(text: Self.wrongKey).kek.bytes == Data(0..<32))
        let random = UnlockKey.random()
        #expect(try UnlockKey(text: random.text) == random)
    }

    @Test func unlockKeyIsNeverPrinted() throws {
        let key = try UnlockKey(text: Self.autolockKey)
        let secret = String(Self.autolockKey.dropFirst(9))
        for text in ["\(key)", String(describing: key), String(reflecting: key), "\([key])"] {
            #expect(!text.contains(secret))
            #expect(!text.contains(secret.prefix(8)))
        }
    }

    @Test func unlockKeyRejectsMalformedInput() {
        #expect(throws: UnlockKeyError.empty) { try UnlockKey(text: " \n") }
        #expect(throws: UnlockKeyError.missingPrefix) { try UnlockKey(text: "DUEKhY12fUqBWFejof5Pq5FKHKXMmQiQo2RCYCVvOy8") }
        #expect(throws: UnlockKeyError.missingPrefix) { try UnlockKey(text: "SWMKEY-2-DUEKhY12fUqBWFejof5Pq5FKHKXMmQiQo2RCYCVvOy8") }
        #expect(throws: UnlockKeyError.notBase64) { try UnlockKey(text: "SWMKEY-1-DUEKhY12fUqBWFejof5Pq5FKHKXMmQiQo2RCYCVvOy8=") }
        #expect(throws: UnlockKeyError.notBase64) { try UnlockKey(text: "SWMKEY-1-DUEKhY12fUqBWFejof5Pq5FKH*XMmQiQo2RCYCVvOy8") }
        #expect(throws: UnlockKeyError.notBase64) { try UnlockKey(text: "SWMKEY-1-DUEKh Y12fUqBWFejof5Pq5FKHKXMmQiQo2RCYCVvOy8") }
        #expect(throws: UnlockKeyError.wrongLength(24)) { try UnlockKey(text: "SWMKEY-1-AAECAwQFBgcICQoLDA0ODxAREhMUFRYX") }
        #expect(throws: UnlockKeyError.wrongLength(0)) { try UnlockKey(text: "SWMKEY-1-") }
    }

    // MARK: PEM

    @Test func pemKeepsHeadersInOrderAndReencodesByteForByte() throws {
        let raw = try Self.rawKeyFile("single-manager", "manager-1")
        let block = try PEMBlock.parse(raw)
        #expect(block.type == "PRIVATE KEY")
        #expect(block.headers.map(\.name) == ["kek-version", "raft-dek"])
        #expect(block.header("kek-version") == "0")
        #expect(block.encodedData() == raw)
        #expect(block.encodedData(headerOrder: .asGiven) == raw)
    }

    @Test func pemGoHeaderOrder() throws {
        var block = PEMBlock(type: "EC PRIVATE KEY", bytes: Data(repeating: 1, count: 100))
        for name in ["raft-dek-pending", "kek-version", "DEK-Info", "raft-dek", "Proc-Type", "raft-dek-needs-rotation"] {
            block.setHeader(name, "v")
        }
        let text = block.encoded()
        let names = text.split(separator: "\n").dropFirst().prefix(6).map { $0.split(separator: ":")[0] }
        #expect(names == ["Proc-Type", "DEK-Info", "kek-version", "raft-dek", "raft-dek-needs-rotation", "raft-dek-pending"])
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false)[7].isEmpty)
        let back = try PEMBlock.parse(text)
        #expect(back.bytes == block.bytes)
        #expect(back.headers == PEMBlock.goHeaderOrder(block.headers))
        block.setHeader("raft-dek", nil)
        #expect(block.header("raft-dek") == nil)
    }

    @Test func pemRejectsDamage() {
        #expect(throws: PEMError.noPEMBlock) { try PEMBlock.parse("hello") }
        #expect(throws: PEMError.missingEnd(type: "PRIVATE KEY")) { try PEMBlock.parse("-----BEGIN PRIVATE KEY-----\nAAAA\n") }
        #expect(throws: PEMError.mismatchedEnd(begin: "PRIVATE KEY", end: "CERTIFICATE")) {
            try PEMBlock.parse("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END CERTIFICATE-----\n")
        }
        #expect(throws: PEMError.badBase64(type: "PRIVATE KEY")) { try PEMBlock.parse("-----BEGIN PRIVATE KEY-----\nA*AA\n-----END PRIVATE KEY-----\n") }
    }

    // MARK: DEK headers on the fixtures

    @Test func clearDEKsOfAnUnlockedManager() throws {
        let file = try Self.keyFile("single-manager", "manager-1")
        #expect(file.format == .pkcs8)
        #expect(!file.isLocked)
        #expect(file.kekVersion == 0)
        #expect(file.dekAlgorithm == RaftEncryptionAlgorithm.none)
        let deks = try file.deks(unlockKey: nil)
        let current = try #require(deks.current)
        #expect(current.bytes.count == 32)
        #expect(deks.pending == nil)
        #expect(!deks.needsRotation)
        #expect(!deks.isEncrypted)
        #expect(deks.storedAlgorithm == RaftEncryptionAlgorithm.none)
        // A key given for an unlocked node is not needed and does no harm.
        #expect(try file.deks(unlockKey: UnlockKey(text: Self.wrongKey)) == deks)
    }

    @Test("autolocked managers: right key, no key, wrong key", arguments: ["manager-1", "manager-2", "manager-3"])
    func autolockedManagers(node: String) throws {
        let file = try Self.keyFile("autolock-3mgr", node)
        #expect(file.format == .encryptedPKCS8)
        #expect(file.isLocked)
        #expect(file.dekAlgorithm == .secretbox)
        let key = try UnlockKey(text: Self.autolockKey)
        let material = try file.unlock(with: key)
        #expect(material.isLocked)
        #expect(material.deks.isEncrypted)
        #expect(material.deks.storedAlgorithm == .secretbox)
        #expect(material.deks.current?.bytes.count == 32)
        // manager-1 created the swarm (version 0); the others got the KEK later (version 7).
        #expect(material.kekVersion == UInt64(try #require(file.block.header("kek-version"))))
        #expect(material.kekVersion == (node == "manager-1" ? 0 : 7))
        #expect(material.plainPrivateKey.isPKCS8)

        #expect(throws: KeyMaterialError.locked(file: file.file)) { try file.unlock(with: nil) }
        #expect(throws: KeyMaterialError.locked(file: file.file)) { try file.deks(unlockKey: nil) }
        #expect(throws: KeyMaterialError.locked(file: file.file)) { try file.plainPrivateKey(unlockKey: nil) }
        let wrong = try UnlockKey(text: Self.wrongKey)
        #expect(throws: KeyMaterialError.wrongUnlockKey(file: file.file)) { try file.unlock(with: wrong) }
        #expect(throws: KeyMaterialError.wrongUnlockKey(file: file.file)) { try file.deks(unlockKey: wrong) }
        #expect(throws: KeyMaterialError.wrongUnlockKey(file: file.file)) { try file.plainPrivateKey(unlockKey: wrong) }
        #expect(KeyMaterialError.wrongUnlockKey(file: "x") != KeyMaterialError.locked(file: "x"))
        #expect(!"\(KeyMaterialError.wrongUnlockKey(file: "x"))".contains(Self.wrongKey))
    }

    @Test func fipsManagerUsesFernetHeaders() throws {
        let file = try Self.keyFile("fips-1mgr", "manager-1")
        #expect(file.format == .encryptedPKCS8)
        #expect(file.dekAlgorithm == .fernet)
        let key = try UnlockKey(text: #require(Fixtures.unlockKey("fips-1mgr")))
        let material = try file.unlock(with: key)
        #expect(material.deks.storedAlgorithm == .fernet)
        #expect(material.deks.current?.bytes.count == 32)
        #expect(throws: KeyMaterialError.locked(file: file.file)) { try file.unlock(with: nil) }
        #expect(throws: KeyMaterialError.wrongUnlockKey(file: file.file)) { try file.unlock(with: UnlockKey(text: Self.autolockKey)) }
    }

    @Test("private key loads and matches the certificate", arguments: allNodes)
    func privateKeyMatchesCertificate(scenario: String, node: String) throws {
        let folder = Fixtures.folder(scenario, node)
        let unlockKey = try Fixtures.unlockKey(scenario).map { try UnlockKey(text: $0) }
        let material = try NodeKeys.load(stateDirectory: folder, unlockKey: unlockKey)
        let certificates = try SwarmCertificates.load(stateDirectory: folder)
        #expect(certificates.matches(privateKey: material.privateKey))
        // Signs and verifies.
        let message = Data("swarmsafe".utf8)
        let signature = try material.privateKey.signature(for: message)
        #expect(material.privateKey.publicKey.isValidSignature(signature, for: message))
        let isManager = (try Fixtures.expected(scenario)["roles"] as? [String: String])?[node] == "manager"
        #expect((material.deks.current != nil) == isManager)
        // Workers never get locked.
        if !isManager { #expect(!material.isLocked) }
    }

    // MARK: writing

    @Test func unlockedKeyFileIsReproducedByteForByte() throws {
        for (scenario, node) in Self.allNodes where Fixtures.unlockKey(scenario) == nil {
            let raw = try Self.rawKeyFile(scenario, node)
            let material = try Self.keyFile(scenario, node).unlock(with: nil)
            let block = try NodeKeyFile.makeBlock(
                privateKey: material.plainPrivateKey, deks: material.deks, kek: nil, kekVersion: material.kekVersion, fips: false)
            #expect(block.encodedData() == raw, "\(scenario)/\(node)")
        }
    }

    @Test("PBES2 encryption has swarmkit's exact layout", arguments: ["manager-1", "manager-2", "manager-3"])
    func pbes2LayoutMatchesSwarmkit(node: String) throws {
        let file = try Self.keyFile("autolock-3mgr", node)
        let key = try UnlockKey(text: Self.autolockKey)
        let original = try PBES2EncryptedPrivateKey(derEncoded: file.block.bytes)
        #expect(original.iterations == 2048)
        #expect(original.salt.count == 8)
        #expect(original.iv.count == 16)
        #expect(original.prf == nil && original.keyLength == nil)
        #expect(try original.derEncoded() == file.block.bytes)
        let plain = try original.decrypt(password: key.kek.bytes)
        // Same salt and IV → the same bytes as the file.
        let again = try PBES2EncryptedPrivateKey.encrypt(pkcs8: plain, password: key.kek.bytes, salt: original.salt, iv: original.iv)
        #expect(try again.derEncoded() == file.block.bytes)
        // Fresh salt/IV → different bytes, same key.
        let fresh = try PBES2EncryptedPrivateKey.encrypt(pkcs8: plain, password: key.kek.bytes)
        #expect(try fresh.derEncoded() != file.block.bytes)
        #expect(try fresh.decrypt(password: key.kek.bytes) == plain)
        #expect(throws: PrivateKeyCryptoError.wrongPassword) { try fresh.decrypt(password: Data(count: 32)) }
    }

    @Test func dekHeadersReencryptToTheSameRecordWithTheSameNonce() throws {
        let file = try Self.keyFile("autolock-3mgr", "manager-1")
        let key = try UnlockKey(text: Self.autolockKey)
        let header = try #require(file.block.header(RaftDEKs.currentHeader))
        let record = try RaftCipher.record(from: try #require(Data(base64Encoded: header)))
        let dek = try RaftCipher.decrypt(record, key: key.kek)
        let box = try SecretboxCipher(key: key.kek).seal(dek, nonce: record.nonce)
        var rebuilt = SwarmMaybeEncryptedRecord()
        rebuilt.encryptionAlgorithm = .secretbox
        rebuilt.data = box.sealed
        rebuilt.nonce = box.nonce
        #expect(try RaftCipher.serialize(rebuilt).base64EncodedString() == header)
    }

    @Test func fernetDEKHeaderReencryptsToTheSameToken() throws {
        let file = try Self.keyFile("fips-1mgr", "manager-1")
        let key = try UnlockKey(text: #require(Fixtures.unlockKey("fips-1mgr")))
        let header = try #require(file.block.header(RaftDEKs.currentHeader))
        let record = try RaftCipher.record(from: try #require(Data(base64Encoded: header)))
        #expect(record.nonce.isEmpty)
        let dek = try RaftCipher.decrypt(record, key: key.kek)
        // Rebuild the token with the original time and IV.
        let decoded = try #require(Data(base64Encoded: String(decoding: record.data, as: UTF8.self)
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")))
        let time = decoded.dropFirst().prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let iv = Data(decoded.dropFirst(9).prefix(16))
        let token = try FernetCipher(key: key.kek).seal(dek, timestamp: time, iv: iv)
        #expect(token == record.data)
    }

    @Test("autolocked key files round-trip through makeBlock", arguments: [("autolock-3mgr", "manager-1"), ("fips-1mgr", "manager-1"), ("fresh-init-autolock", "manager-1")])
    func lockedRoundTrip(scenario: String, node: String) throws {
        let key = try UnlockKey(text: #require(Fixtures.unlockKey(scenario)))
        let fips = try Fixtures.expected(scenario)["fips"] as? Bool ?? false
        let file = try Self.keyFile(scenario, node)
        let material = try file.unlock(with: key)
        let block = try NodeKeyFile.makeBlock(
            privateKey: material.plainPrivateKey, deks: material.deks, kek: key.kek, kekVersion: material.kekVersion, fips: fips)
        #expect(block.type == "ENCRYPTED PRIVATE KEY")
        #expect(block.headers.map(\.name) == file.block.headers.map(\.name))
        let reread = try NodeKeyFile.parse(block.encodedData())
        #expect(reread.dekAlgorithm == file.dekAlgorithm)
        let back = try reread.unlock(with: key)
        #expect(back.deks.current == material.deks.current)
        #expect(back.plainPrivateKey == material.plainPrivateKey)
        #expect(throws: KeyMaterialError.locked(file: reread.file)) { try reread.unlock(with: nil) }
    }

    @Test func lockingAnUnlockedKeyAndRotationHeaders() throws {
        let material = try Self.keyFile("single-manager", "manager-1").unlock(with: nil)
        let key = UnlockKey.random()
        var deks = material.deks
        deks.pending = .random()
        deks.needsRotation = true
        let block = try NodeKeyFile.makeBlock(privateKey: material.plainPrivateKey, deks: deks, kek: key.kek, kekVersion: 3, fips: false)
        #expect(block.headers.map(\.name) == ["kek-version", "raft-dek", "raft-dek-needs-rotation", "raft-dek-pending"])
        #expect(block.header("raft-dek-needs-rotation") == "true")
        let reread = try NodeKeyFile.parse(block.encodedData())
        #expect(reread.isLocked)
        #expect(reread.kekVersion == 3)
        let back = try reread.unlock(with: key)
        #expect(back.deks.current == material.deks.current)
        #expect(back.deks.pending == deks.pending)
        #expect(back.deks.needsRotation)
        // The cipher of a node with a pending DEK tries the pending key first.
        #expect(back.deks.raftCipher(fips: false)?.keys == [deks.pending!, material.deks.current!])
    }

    @Test func legacyECPrivateKeyEncryptionRoundTrip() throws {
        let signing = P256.Signing.PrivateKey()
        let plain = PlainPrivateKey(der: Self.sec1DER(signing), isPKCS8: false)
        #expect(try plain.signingKey().rawRepresentation == signing.rawRepresentation)
        let key = UnlockKey.random()
        let deks = RaftDEKs(current: .random())
        let block = try NodeKeyFile.makeBlock(privateKey: plain, deks: deks, kek: key.kek, kekVersion: 1, fips: false)
        #expect(block.type == "EC PRIVATE KEY")
        #expect(block.headers.first?.name == "Proc-Type")
        #expect(block.header("DEK-Info")?.hasPrefix("AES-256-CBC,") == true)
        let reread = try NodeKeyFile.parse(block.encodedData())
        #expect(reread.format == .encryptedSEC1)
        let back = try reread.unlock(with: key)
        #expect(back.privateKey.rawRepresentation == signing.rawRepresentation)
        #expect(throws: KeyMaterialError.wrongUnlockKey(file: reread.file)) {
            try reread.plainPrivateKey(unlockKey: UnlockKey.random())
        }
        #expect(throws: KeyMaterialError.locked(file: reread.file)) { try reread.unlock(with: nil) }
    }

    /// SEC 1 `ECPrivateKey` DER (RFC 5915) with the P-256 OID and public key, as OpenSSL writes it.
    static func sec1DER(_ key: P256.Signing.PrivateKey) -> Data {
        var der = Data([0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20])
        der += key.rawRepresentation
        der += Data([0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07])
        der += Data([0xA1, 0x44, 0x03, 0x42, 0x00])
        der += key.publicKey.x963Representation
        return der
    }

    /// Made with OpenSSL 3: `openssl ecparam -name prime256v1 -genkey -noout | openssl ec -aes256
    /// -passout pass:swarmsafe-legacy` (legacy PEM encryption, EVP_BytesToKey/MD5 + AES-256-CBC).
    static let opensslEncryptedECKey = """
-----BEGIN EC PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-256-CBC,AC14E8B8E1897065D9732DA0DE25D29C

vXS5n+E1ExN/aaZAzOo1cHvSI4iQYfSj9qQ/4frMIOeFHNCCYZuiKd3Y3pAltEds
9497y5xgX7F2Z8E01c/8vYtGj4pNx1DGBM05dTHa+P/4zXuF4UZYS42Y03uQUpBC
w0sSvxM9hR96DdbwM1lruzkGkhDWeRhZscCH5Lb0o+0=
-----END EC PRIVATE KEY-----
"""
    static let opensslPrivateScalar = "5f8a921a238d8be5905cec96196c100c68ad008599f1d1ee54314d8e6ef79d4e"

    @Test func legacyDecryptionMatchesOpenSSL() throws {
        let block = try PEMBlock.parse(Self.opensslEncryptedECKey)
        let file = try NodeKeyFile(block: block)
        #expect(file.format == .encryptedSEC1)
        #expect(file.isLocked)
        let der = try LegacyPEMEncryption.decrypt(block, password: Data("swarmsafe-legacy".utf8))
        let key = try PlainPrivateKey(der: der, isPKCS8: false).signingKey()
        #expect(key.rawRepresentation.map { String(format: "%02x", $0) }.joined() == Self.opensslPrivateScalar)
        #expect(throws: PrivateKeyCryptoError.wrongPassword) {
            try LegacyPEMEncryption.decrypt(block, password: Data("not-the-password".utf8))
        }
        // Our encryption with the same IV is read back by our decryption.
        let again = try LegacyPEMEncryption.encrypt(type: "EC PRIVATE KEY", der: der, password: Data("pw".utf8),
                                                    iv: Data((0..<16).map { UInt8($0) }))
        #expect(again.header("DEK-Info") == "AES-256-CBC,000102030405060708090a0b0c0d0e0f")
        #expect(try LegacyPEMEncryption.decrypt(again, password: Data("pw".utf8)) == der)
    }

    @Test func malformedKeyFiles() throws {
        #expect(throws: KeyMaterialError.missing(file: "/nonexistent/swarm-node.key")) { try NodeKeyFile.read(path: "/nonexistent/swarm-node.key") }
        #expect(throws: KeyMaterialError.self) { try NodeKeyFile.parse(Data("junk".utf8)) }
        #expect(throws: KeyMaterialError.self) { try NodeKeyFile.parse(Data("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8)) }
        var block = try PEMBlock.parse(Self.rawKeyFile("single-manager", "manager-1"))
        block.setHeader("raft-dek", "!!!")
        #expect(throws: KeyMaterialError.malformed(file: "swarm-node.key", reason: "header raft-dek is not base64")) {
            try NodeKeyFile(block: block).unlock(with: nil)
        }
        block.setHeader("raft-dek", Data([0x12, 0x03, 1, 2, 3]).base64EncodedString())
        #expect(throws: KeyMaterialError.self) { try NodeKeyFile(block: block).unlock(with: nil) }
        block.setHeader("raft-dek", nil)
        block.setHeader("raft-dek-pending", Data([0x12, 0x20] + [UInt8](repeating: 1, count: 32)).base64EncodedString())
        #expect(throws: KeyMaterialError.malformed(file: "swarm-node.key", reason: "there is a pending DEK, but no current DEK")) {
            try NodeKeyFile(block: block).unlock(with: nil)
        }
        let locked = try Self.keyFile("autolock-3mgr", "manager-1")
        var damaged = locked.block
        damaged.bytes = damaged.bytes.prefix(40)
        #expect(throws: KeyMaterialError.self) { try NodeKeyFile(block: damaged).plainPrivateKey(unlockKey: UnlockKey(text: Self.autolockKey)) }
    }
}
