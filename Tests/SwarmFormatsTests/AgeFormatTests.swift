import Foundation
import SwarmFormats
import Testing

/// Pure-Swift tests of the age format: keys, round trips, tampering, truncation, limits.
@Suite struct AgeFormatTests {
    static let identity = AgeX25519Identity()
    static let other = AgeX25519Identity()
    static let target = AgeEncryptionTarget.recipients([identity.recipient])
    static let key = AgeDecryptionKey.identities([identity])

    static func bytes(_ count: Int, seed: UInt8 = 7) -> Data {
        var state = UInt32(seed) &* 2_654_435_761 | 1
        return Data((0..<count).map { _ in
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        })
    }

    /// Offset of the payload nonce (just past the header's MAC line).
    static func headerLength(_ file: Data) -> Int {
        let marker = Data("\n--- ".utf8)
        let range = file.range(of: marker)!
        return file[range.upperBound...].firstIndex(of: 0x0A)! + 1 - file.startIndex
    }

    // MARK: keys

    @Test func keysRoundTripAndRedact() throws {
        let identity = AgeX25519Identity()
        let secret = identity.secretKeyString
        #expect(secret.hasPrefix("AGE-SECRET-KEY-1"))
        #expect(secret == secret.uppercased())
        #expect(secret.count == 74)
        let parsed = try AgeX25519Identity(secret)
        #expect(parsed.recipient == identity.recipient)
        #expect(try AgeX25519Identity(secret.lowercased()).recipient == identity.recipient)
        let recipient = identity.recipient.string
        #expect(recipient.hasPrefix("age1") && recipient.count == 62)
        #expect(try AgeX25519Recipient(recipient) == identity.recipient)
        // Never print key material.
        for text in ["\(identity)", String(describing: identity), String(reflecting: identity), "\([identity])"] {
            #expect(!text.contains(secret))
            #expect(!text.localizedCaseInsensitiveContains(String(secret.dropFirst(16).prefix(20))))
            #expect(text.contains("redacted"))
        }
        let file = try AgeX25519Identity.parseIdentityFile("# created: now\n\n" + identity.identityFileContents)
        #expect(file.count == 1 && file[0].recipient == identity.recipient)
    }

    @Test func keysRejectMalformedInput() throws {
        let identity = AgeX25519Identity()
        let secret = identity.secretKeyString
        let recipient = identity.recipient.string
        // Mixed case, bad checksum, wrong prefix, wrong length, junk.
        #expect(throws: AgeError.self) { try AgeX25519Identity(String(secret.prefix(20)).lowercased() + secret.dropFirst(20)) }
        var flipped = Array(recipient)
        flipped[10] = flipped[10] == "q" ? "p" : "q"
        #expect(throws: AgeError.self) { try AgeX25519Recipient(String(flipped)) }
        #expect(throws: AgeError.self) { try AgeX25519Recipient(secret) }
        #expect(throws: AgeError.self) { try AgeX25519Identity(recipient) }
        #expect(throws: AgeError.self) { try AgeX25519Recipient("age1") }
        #expect(throws: AgeError.self) { try AgeX25519Recipient("") }
        #expect(throws: AgeError.self) { try AgeX25519Recipient("age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq") }
        #expect(throws: AgeError.self) { try AgeX25519Recipient("age1\u{e9}qpzry9x8gf2tvdw0s3jn54khce6mua7l") }
        #expect(throws: AgeError.self) { try AgeX25519Identity.parseIdentityFile("# nothing here\n") }
        // Errors about identities must not echo the key.
        do {
            _ = try AgeX25519Identity(secret + "x")
            Issue.record("expected failure")
        } catch {
            #expect(!"\(error)".contains(secret))
        }
    }

    // MARK: round trips

    @Test(arguments: [0, 1, 65_535, 65_536, 65_537, 2 * 65_536, 3 * 1024 * 1024 + 17])
    func roundTripX25519(size: Int) throws {
        let plaintext = Self.bytes(size)
        let file = try Age.encrypt(plaintext, to: Self.target)
        let chunks = max(1, (size + 65_535) / 65_536)
        #expect(file.count == Self.headerLength(file) + 16 + size + 16 * chunks)
        #expect(try Age.decrypt(file, with: Self.key) == plaintext)
    }

    @Test func streamingInOddPiecesMatchesOneShot() throws {
        let plaintext = Self.bytes(300_001, seed: 3)
        var file = Data()
        let encryptor = try AgeEncryptor(to: .recipients([Self.other.recipient, Self.identity.recipient])) { file.append($0) }
        var offset = 0
        for piece in [0, 1, 7, 65_535, 65_536, 100_000, 1] {
            try encryptor.write(plaintext[offset..<(offset + piece)])
            offset += piece
        }
        try encryptor.write(plaintext[offset...])
        try encryptor.finish()
        #expect(throws: AgeError.streamClosed) { try encryptor.write(Data([1])) }

        // Feed the decryptor 1000 bytes at a time; output comes out chunk by chunk.
        var output = Data()
        var emissions = 0
        let decryptor = AgeDecryptor(with: .identities([Self.identity])) { output.append($0); emissions += 1 }
        var position = file.startIndex
        while position < file.endIndex {
            let end = min(position + 1000, file.endIndex)
            try decryptor.write(file[position..<end])
            position = end
        }
        try decryptor.finish()
        #expect(output == plaintext)
        #expect(emissions == 5)
        // Either recipient can open it.
        #expect(try Age.decrypt(file, with: .identities([Self.other])) == plaintext)
    }

    @Test func fileHandleHelpersStream() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("age-fh-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = directory.appendingPathComponent("plain"), sealed = directory.appendingPathComponent("sealed")
        let back = directory.appendingPathComponent("back")
        let plaintext = Self.bytes(1_000_000)
        try plaintext.write(to: plain)
        for url in [sealed, back] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        try Age.encrypt(from: FileHandle(forReadingFrom: plain), to: FileHandle(forWritingTo: sealed), target: Self.target)
        try Age.decrypt(from: FileHandle(forReadingFrom: sealed), to: FileHandle(forWritingTo: back), key: Self.key)
        #expect(try Data(contentsOf: back) == plaintext)
    }

    @Test func passphraseRoundTripAndWrongPassphrase() throws {
        let plaintext = Self.bytes(70_000)
        let file = try Age.encrypt(plaintext, to: .passphrase("correct horse", workFactor: 10))
        #expect(String(decoding: file.prefix(80), as: UTF8.self).contains("\n-> scrypt "))
        #expect(try Age.decrypt(file, with: .passphrase("correct horse")) == plaintext)
        #expect(throws: AgeError.incorrectPassphrase) { try Age.decrypt(file, with: .passphrase("wrong horse")) }
        #expect(throws: AgeError.workFactorTooLarge(10, limit: 9)) { try Age.decrypt(file, with: .passphrase("correct horse", maxWorkFactor: 9)) }
        #expect(throws: AgeError.passphraseMismatch(fileUsesPassphrase: true)) { try Age.decrypt(file, with: Self.key) }
        let x25519File = try Age.encrypt(plaintext, to: Self.target)
        #expect(throws: AgeError.passphraseMismatch(fileUsesPassphrase: false)) { try Age.decrypt(x25519File, with: .passphrase("x")) }
        #expect(throws: AgeError.emptyPassphrase) { try Age.encrypt(plaintext, to: .passphrase("", workFactor: 10)) }
        #expect(throws: AgeError.invalidWorkFactor(0)) { try Age.encrypt(plaintext, to: .passphrase("p", workFactor: 0)) }
        #expect(throws: AgeError.noRecipients) { try Age.encrypt(plaintext, to: .recipients([])) }
    }

    @Test func scryptStanzaMustBeAlone() throws {
        // Splice an X25519 stanza into a passphrase file's header; rejected before any MAC check.
        let scryptFile = try Age.encrypt(Data("x".utf8), to: .passphrase("p", workFactor: 10))
        let x25519File = try Age.encrypt(Data("x".utf8), to: Self.target)
        let scryptLines = String(decoding: scryptFile.prefix(Self.headerLength(scryptFile)), as: UTF8.self).split(separator: "\n")
        let x25519Lines = String(decoding: x25519File.prefix(Self.headerLength(x25519File)), as: UTF8.self).split(separator: "\n")
        let spliced = ([scryptLines[0]] + x25519Lines[1...2] + scryptLines[1...]).joined(separator: "\n") + "\n"
        let file = Data(spliced.utf8) + scryptFile[Self.headerLength(scryptFile)...]
        #expect(throws: AgeError.scryptStanzaNotAlone) { try Age.decrypt(file, with: .passphrase("p")) }
        #expect(throws: AgeError.scryptStanzaNotAlone) { try Age.decrypt(file, with: Self.key) }
    }

    // MARK: failures

    @Test func wrongIdentityIsDistinctError() throws {
        let file = try Age.encrypt(Self.bytes(10), to: Self.target)
        #expect(throws: AgeError.noMatchingIdentity) { try Age.decrypt(file, with: .identities([Self.other])) }
        #expect(throws: AgeError.noMatchingIdentity) { try Age.decrypt(file, with: .identities([])) }
    }

    @Test func everyFlippedByteIsRejected() throws {
        let plaintext = Self.bytes(65_536 + 100)
        let file = try Age.encrypt(plaintext, to: Self.target)
        let header = Self.headerLength(file)
        // Every header byte, the nonce, and a sample of payload bytes (both chunks and tags).
        let positions = Array(0..<(header + 16)) + Array(stride(from: header + 16, to: file.count, by: 997)) + [file.count - 1]
        for position in positions {
            var damaged = file
            damaged[position] ^= 0x01
            #expect(throws: AgeError.self, "flipped byte \(position)") { try Age.decrypt(damaged, with: Self.key) }
        }
        // A MAC byte specifically reports a MAC mismatch; a payload byte a chunk failure.
        var macDamaged = file
        macDamaged[header - 10] = macDamaged[header - 10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: AgeError.headerMACMismatch) { try Age.decrypt(macDamaged, with: Self.key) }
        var payloadDamaged = file
        payloadDamaged[file.count - 20] ^= 0x80
        #expect(throws: AgeError.payloadAuthenticationFailed(chunk: 1)) { try Age.decrypt(payloadDamaged, with: Self.key) }
    }

    @Test func truncationAndTrailingDataAreRejected() throws {
        let plaintext = Self.bytes(2 * 65_536 + 5)
        let file = try Age.encrypt(plaintext, to: Self.target)
        let header = Self.headerLength(file)
        let chunkEnd = header + 16 + 65_536 + 16
        for length in [0, 10, header - 1, header, header + 15, header + 16, header + 40, chunkEnd, 2 * chunkEnd - header - 16, file.count - 1] {
            #expect(throws: AgeError.self, "length \(length)") { try Age.decrypt(file.prefix(length), with: Self.key) }
        }
        // Cut exactly at a chunk boundary: the stream ends on a non-final chunk.
        #expect(throws: AgeError.truncated) { try Age.decrypt(file.prefix(chunkEnd), with: Self.key) }
        #expect(throws: AgeError.truncated) { try Age.decrypt(file.prefix(header + 16), with: Self.key) }
        #expect(throws: AgeError.truncated) { try Age.decrypt(file.prefix(header - 1), with: Self.key) }
        // Trailing garbage after the final chunk.
        #expect(throws: AgeError.self) { try Age.decrypt(file + Data([0]), with: Self.key) }
        let exact = try Age.encrypt(Self.bytes(65_536), to: Self.target)
        #expect(throws: AgeError.malformedPayload("data after the final chunk")) { try Age.decrypt(exact + Data([0]), with: Self.key) }
    }

    @Test func malformedHeadersAreRejected() throws {
        let file = try Age.encrypt(Data("hello".utf8), to: Self.target)
        let text = String(decoding: file.prefix(Self.headerLength(file)), as: UTF8.self)
        let payload = file[Self.headerLength(file)...]
        func decrypt(_ header: String) throws { _ = try Age.decrypt(Data(header.utf8) + payload, with: Self.key) }
        #expect(throws: AgeError.unsupportedVersion) { try decrypt(text.replacingOccurrences(of: "/v1", with: "/v2")) }
        #expect(throws: AgeError.malformedHeader("missing age-encryption.org/v1 line")) { try Age.decrypt(Data("PK\u{3}\u{4}junk".utf8), with: Self.key) }
        #expect(throws: AgeError.self) { try decrypt(text.replacingOccurrences(of: "-> X25519 ", with: "-> X25519  ")) }
        #expect(throws: AgeError.self) { try decrypt(text.replacingOccurrences(of: "-> X25519 ", with: "->X25519 ")) }
        #expect(throws: AgeError.self) { try decrypt(text.replacingOccurrences(of: "\n---", with: "\n\n---")) }
        #expect(throws: AgeError.self) { try decrypt(text.replacingOccurrences(of: "--- ", with: "---  ")) }
        // Header without a terminator larger than the limit.
        let decryptor = AgeDecryptor(with: Self.key, maxHeaderSize: 4096) { _ in }
        #expect(throws: AgeError.headerTooLarge(limit: 4096)) {
            try decryptor.write(Data("age-encryption.org/v1\n-> X ".utf8) + Data(repeating: 0x41, count: 5000))
        }
        #expect(throws: AgeError.streamClosed) { try decryptor.write(Data()) }
    }

    @Test func injectedStanzaFailsTheMAC() throws {
        // An unknown (grease-style) stanza parses fine and is skipped, but the MAC covers it, so
        // injecting one is caught by the MAC check rather than the parser.
        let file = try Age.encrypt(Data("hello".utf8), to: Self.target)
        let text = String(decoding: file.prefix(Self.headerLength(file)), as: UTF8.self)
        let greased = text.replacingOccurrences(of: "age-encryption.org/v1\n", with: "age-encryption.org/v1\n-> grease-x a b\nAAAA\n")
        #expect(throws: AgeError.headerMACMismatch) { try Age.decrypt(Data(greased.utf8) + file[Self.headerLength(file)...], with: Self.key) }
    }
}
