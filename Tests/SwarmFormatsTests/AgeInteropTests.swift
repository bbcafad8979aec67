import Foundation
import SwarmFormats
import Testing

/// Interoperability with Debian's `age` / `age-keygen` binaries (installed by
/// scripts/install-system-packages.sh), in both directions.
@Suite struct AgeInteropTests {
    static let age = "/usr/bin/age"
    static let ageKeygen = "/usr/bin/age-keygen"

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a tool with stdin from `input`; stdout/stderr are small here, so pipes are fine.
    static func run(_ tool: String, _ arguments: [String], stdin input: Data = Data()) throws -> Result {
        try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) missing: run scripts/install-system-packages.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        try inPipe.fileHandleForWriting.write(contentsOf: input)
        try inPipe.fileHandleForWriting.close()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs `age` under a pseudo-terminal (util-linux `script`) so it can read a passphrase,
    /// which it only ever takes from the terminal. `typed` is what the user types.
    static func runWithTerminal(_ command: [String], typed: String) throws -> Result {
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try run("/usr/bin/script", ["-qec", quoted, "/dev/null"], stdin: Data(typed.utf8))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("age-interop-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let sizes = [0, 1, 65_536, 65_537, 2 * 1024 * 1024 + 3]

    @Test func ageKeygenIdentityMatchesOurParsing() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.txt")
        let generated = try Self.run(Self.ageKeygen, ["-o", keyFile.path])
        #expect(generated.status == 0, "\(generated.stderr)")
        let contents = try String(contentsOf: keyFile, encoding: .utf8)
        let identities = try AgeX25519Identity.parseIdentityFile(contents)
        #expect(identities.count == 1)
        // age-keygen writes "# public key: age1…"; our derived recipient must match.
        let publicLine = try #require(contents.split(separator: "\n").first { $0.hasPrefix("# public key: ") })
        #expect(identities[0].recipient.string == publicLine.dropFirst("# public key: ".count))
        // And age-keygen -y agrees with the identity file we write.
        let ours = AgeX25519Identity()
        let converted = try Self.run(Self.ageKeygen, ["-y"], stdin: Data(ours.identityFileContents.utf8))
        #expect(converted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == ours.recipient.string)
    }

    @Test func weEncryptAgeDecrypts() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.txt")
        #expect(try Self.run(Self.ageKeygen, ["-o", keyFile.path]).status == 0)
        let recipient = try AgeX25519Identity.parseIdentityFile(String(contentsOf: keyFile, encoding: .utf8))[0].recipient
        // A second, unrelated recipient in the same file must not bother age.
        let target = AgeEncryptionTarget.recipients([AgeX25519Identity().recipient, recipient])
        for size in Self.sizes {
            let plaintext = AgeFormatTests.bytes(size, seed: UInt8(size % 251))
            let sealed = directory.appendingPathComponent("f\(size).age"), opened = directory.appendingPathComponent("f\(size).out")
            try Age.encrypt(plaintext, to: target).write(to: sealed)
            let result = try Self.run(Self.age, ["-d", "-i", keyFile.path, "-o", opened.path, sealed.path])
            #expect(result.status == 0, "size \(size): \(result.stderr)")
            // age creates -o lazily, so an empty plaintext leaves no output file.
            let output = FileManager.default.fileExists(atPath: opened.path) ? try Data(contentsOf: opened) : Data()
            #expect(output == plaintext, "size \(size)")
        }
        // age rejects our file when we damage it, too.
        var damaged = try Age.encrypt(Data("x".utf8), to: target)
        damaged[damaged.count - 1] ^= 1
        let damagedURL = directory.appendingPathComponent("damaged.age")
        try damaged.write(to: damagedURL)
        #expect(try Self.run(Self.age, ["-d", "-i", keyFile.path, damagedURL.path]).status != 0)
    }

    @Test func ageEncryptsWeDecrypt() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let identity = AgeX25519Identity()
        for size in Self.sizes {
            let plaintext = AgeFormatTests.bytes(size, seed: UInt8(size % 251) &+ 1)
            let input = directory.appendingPathComponent("p\(size)"), sealed = directory.appendingPathComponent("p\(size).age")
            try plaintext.write(to: input)
            let result = try Self.run(Self.age, ["-r", identity.recipient.string, "-r", AgeX25519Identity().recipient.string, "-o", sealed.path, input.path])
            #expect(result.status == 0, "\(result.stderr)")
            let file = try Data(contentsOf: sealed)
            #expect(try Age.decrypt(file, with: .identities([identity])) == plaintext, "size \(size)")
            #expect(throws: AgeError.noMatchingIdentity) { try Age.decrypt(file, with: .identities([AgeX25519Identity()])) }
        }
    }

    @Test func passphraseWeEncryptAgeDecrypts() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plaintext = AgeFormatTests.bytes(100_000)
        let sealed = directory.appendingPathComponent("p.age"), opened = directory.appendingPathComponent("p.out")
        try Age.encrypt(plaintext, to: .passphrase("swarm passphrase ü", workFactor: 12)).write(to: sealed)
        let result = try Self.runWithTerminal([Self.age, "-d", "-o", opened.path, sealed.path], typed: "swarm passphrase ü\n")
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(try Data(contentsOf: opened) == plaintext)
    }

    @Test func passphraseAgeEncryptsWeDecrypt() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plaintext = AgeFormatTests.bytes(70_000)
        let input = directory.appendingPathComponent("in"), sealed = directory.appendingPathComponent("in.age")
        try plaintext.write(to: input)
        // age asks for the passphrase twice (enter, confirm); it uses work factor 18.
        let result = try Self.runWithTerminal([Self.age, "-p", "-o", sealed.path, input.path], typed: "swarm passphrase\nswarm passphrase\n")
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let file = try Data(contentsOf: sealed)
        #expect(String(decoding: file.prefix(60), as: UTF8.self).contains("-> scrypt "))
        #expect(try Age.decrypt(file, with: .passphrase("swarm passphrase")) == plaintext)
        #expect(throws: AgeError.incorrectPassphrase) { try Age.decrypt(file, with: .passphrase("swarm passphrasf")) }
    }
}
