import ArgumentParser
import Foundation
import SwarmFormats

/// Who can read a backup. Recipients are public keys, so a cron host can encrypt backups it
/// can never read; a passphrase is read from a file, never from the command line.
struct EncryptionOptions: ParsableArguments {
    @Option(name: .customLong("recipient"), help: ArgumentHelp(
        "Encrypt to this age public key (age1…); repeat for several.", valueName: "age1…"))
    var recipients: [String] = []

    @Option(help: ArgumentHelp("Encrypt to every age1… key in this file (one per line, # comments).", valueName: "file"))
    var recipientsFile: String?

    @Option(help: ArgumentHelp("Encrypt with the passphrase in this file (age scrypt).", valueName: "file"))
    var passphraseFile: String?

    func validate() throws {
        if passphraseFile != nil && (!recipients.isEmpty || recipientsFile != nil) {
            throw ValidationError("Give recipients or a passphrase file, not both.")
        }
    }

    /// nil when no encryption was asked for.
    func target() throws -> AgeEncryptionTarget? {
        if let passphraseFile { return .passphrase(try readSecretFile(passphraseFile, what: "passphrase")) }
        var keys = try recipients.map { try AgeX25519Recipient($0) }
        if let recipientsFile {
            let text = try readSecretFile(recipientsFile, what: "recipients")
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                do {
                    keys.append(try AgeX25519Recipient(trimmed))
                } catch {
                    throw CommandError("\(recipientsFile): line \(number + 1) is not an age1… recipient")
                }
            }
            guard !keys.isEmpty else { throw CommandError("\(recipientsFile): no recipients in it") }
        }
        return keys.isEmpty ? nil : .recipients(keys)
    }
}

/// How to open an encrypted backup.
struct DecryptionOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp(
        "age identity file (AGE-SECRET-KEY-1…, as age-keygen writes it).", valueName: "file"))
    var identity: String?

    @Option(help: ArgumentHelp("File holding the passphrase the archive was encrypted with.", valueName: "file"))
    var passphraseFile: String?

    func validate() throws {
        if identity != nil && passphraseFile != nil { throw ValidationError("Give --identity or --passphrase-file, not both.") }
    }

    func key() throws -> AgeDecryptionKey? {
        if let identity {
            return .identities(try AgeX25519Identity.parseIdentityFile(try readSecretFile(identity, what: "identity")))
        }
        if let passphraseFile { return .passphrase(try readSecretFile(passphraseFile, what: "passphrase")) }
        return nil
    }
}

/// A key or passphrase file: its text without the final newline; a missing or empty file is
/// an error naming the file (never its content).
func readSecretFile(_ path: String, what: String) throws -> String {
    let text: String
    do {
        text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        let missing = (error as? CocoaError)?.code == .fileReadNoSuchFile
        throw FileAccessError(path: path, operation: "read the \(what) file", errno: missing ? ENOENT : EACCES)
    }
    var trimmed = Substring(text)
    while let last = trimmed.last, last == "\n" || last == "\r" { trimmed.removeLast() }
    guard !trimmed.isEmpty else { throw CommandError("\(path): the \(what) file is empty") }
    return String(trimmed)
}
