import Crypto
import Foundation

/// Reads an age-encryption.org/v1 file incrementally. Feed ciphertext to `write` in pieces of any
/// size; authenticated plaintext goes to `sink` chunk by chunk, so memory stays bounded by about
/// two chunks (plus the header, capped by `maxHeaderSize`). `finish()` must be called at the end:
/// only then is the final chunk checked, so a truncated file is detected there. Plaintext passed to
/// `sink` before an error is authenticated but incomplete; discard it if any call throws.
public final class AgeDecryptor {
    private enum State {
        case header(AgeHeader.EndScanner)
        case nonce(SymmetricKey)
        case payload(AgeStream)
        case closed
    }

    private let key: AgeDecryptionKey
    private let maxHeaderSize: Int
    private let sink: (Data) throws -> Void
    private var state: State = .header(AgeHeader.EndScanner())
    private var buffer = [UInt8]()

    public init(with key: AgeDecryptionKey, maxHeaderSize: Int = 1 << 20, sink: @escaping (Data) throws -> Void) {
        self.key = key
        self.maxHeaderSize = maxHeaderSize
        self.sink = sink
    }

    /// Adds ciphertext.
    public func write(_ data: Data) throws {
        if case .closed = state { throw AgeError.streamClosed }
        buffer.append(contentsOf: data)
        do {
            try process()
        } catch {
            state = .closed
            buffer = []
            throw error
        }
    }

    /// Checks and emits the final chunk; throws `.truncated` if the file ended early.
    public func finish() throws {
        defer { state = .closed; buffer = [] }
        switch state {
        case .closed:
            throw AgeError.streamClosed
        case .header, .nonce:
            throw AgeError.truncated
        case .payload(var stream):
            let remaining = buffer[...]
            guard remaining.count >= AgeStream.tagSize else { throw AgeError.truncated }
            if let plaintext = try stream.open(remaining, last: true) {
                guard !plaintext.isEmpty || stream.counter == 1 else {
                    throw AgeError.malformedPayload("empty final chunk")
                }
                try sink(plaintext)
                return
            }
            if remaining.count == AgeStream.sealedChunkSize, try stream.open(remaining, last: false) != nil {
                throw AgeError.truncated
            }
            throw AgeError.payloadAuthenticationFailed(chunk: stream.counter)
        }
    }

    private func process() throws {
        while true {
            switch state {
            case .closed:
                throw AgeError.streamClosed
            case .header(var scanner):
                // Fail fast on something that is not an age v1 file at all.
                let version = Array((AgeHeader.versionLine + "\n").utf8)
                guard version.starts(with: buffer.prefix(version.count)) else {
                    if buffer.starts(with: Array("age-encryption.org/".utf8)) { throw AgeError.unsupportedVersion }
                    throw AgeError.malformedHeader("missing age-encryption.org/v1 line")
                }
                guard let end = scanner.scan(buffer) else {
                    guard buffer.count <= maxHeaderSize else { throw AgeError.headerTooLarge(limit: maxHeaderSize) }
                    state = .header(scanner)
                    return
                }
                guard end <= maxHeaderSize else { throw AgeError.headerTooLarge(limit: maxHeaderSize) }
                let header = try AgeHeader.parse(buffer[..<end])
                let fileKey = try unwrapFileKey(header)
                try header.verifyMAC(fileKey: fileKey)
                buffer.removeFirst(end)
                state = .nonce(fileKey)
            case .nonce(let fileKey):
                guard buffer.count >= AgeHeader.payloadNonceSize else { return }
                state = .payload(AgeStream(fileKey: fileKey, nonce: Data(buffer[..<AgeHeader.payloadNonceSize])))
                buffer.removeFirst(AgeHeader.payloadNonceSize)
            case .payload(var stream):
                // A chunk is only known not to be the last once more bytes follow it.
                var start = 0
                while buffer.count - start > AgeStream.sealedChunkSize {
                    let sealed = buffer[start..<(start + AgeStream.sealedChunkSize)]
                    guard let plaintext = try stream.open(sealed, last: false) else {
                        if try stream.open(sealed, last: true) != nil {
                            throw AgeError.malformedPayload("data after the final chunk")
                        }
                        throw AgeError.payloadAuthenticationFailed(chunk: stream.counter)
                    }
                    start += AgeStream.sealedChunkSize
                    state = .payload(stream)
                    try sink(plaintext)
                }
                if start > 0 { buffer.removeFirst(start) }
                state = .payload(stream)
                return
            }
        }
    }

    private func unwrapFileKey(_ header: AgeHeader) throws -> SymmetricKey {
        let hasScrypt = header.stanzas.contains { $0.type == "scrypt" }
        if hasScrypt, header.stanzas.count != 1 { throw AgeError.scryptStanzaNotAlone }
        switch key {
        case .identities(let identities):
            guard !hasScrypt else { throw AgeError.passphraseMismatch(fileUsesPassphrase: true) }
            for stanza in header.stanzas where stanza.type == "X25519" {
                for identity in identities {
                    if let fileKey = try AgeStanzaCrypto.unwrap(stanza, with: identity) { return fileKey }
                }
            }
            throw AgeError.noMatchingIdentity
        case .passphrase(let passphrase, let maxWorkFactor):
            guard hasScrypt else { throw AgeError.passphraseMismatch(fileUsesPassphrase: false) }
            guard let fileKey = try AgeStanzaCrypto.unwrap(header.stanzas[0], passphrase: passphrase, maxWorkFactor: maxWorkFactor) else {
                throw AgeError.incorrectPassphrase
            }
            return fileKey
        }
    }
}
