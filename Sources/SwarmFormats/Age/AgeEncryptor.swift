import Crypto
import Foundation

/// Writes an age-encryption.org/v1 file incrementally. The header and payload nonce go to `sink`
/// at once; plaintext given to `write` is sealed in 64 KiB chunks and passed on as soon as it is
/// known not to be the final chunk, so memory stays bounded by about two chunks. Call `finish()`
/// exactly once at the end, or the output is truncated (and undecryptable).
public final class AgeEncryptor {
    private let sink: (Data) throws -> Void
    private var stream: AgeStream
    private var buffer = [UInt8]()
    private var closed = false

    public init(to target: AgeEncryptionTarget, sink: @escaping (Data) throws -> Void) throws {
        self.sink = sink
        let fileKey = SymmetricKey(size: .bits128)
        let stanzas: [AgeStanza]
        switch target {
        case .recipients(let recipients):
            guard !recipients.isEmpty else { throw AgeError.noRecipients }
            stanzas = try recipients.map { try AgeStanzaCrypto.wrap(fileKey, to: $0) }
        case .passphrase(let passphrase, let workFactor):
            stanzas = [try AgeStanzaCrypto.wrap(fileKey, passphrase: passphrase, workFactor: workFactor)]
        }
        let nonce = AgeStanzaCrypto.randomBytes(AgeHeader.payloadNonceSize)
        stream = AgeStream(fileKey: fileKey, nonce: nonce)
        try sink(AgeHeader.encode(stanzas, fileKey: fileKey) + nonce)
    }

    /// Adds plaintext.
    public func write(_ data: Data) throws {
        guard !closed else { throw AgeError.streamClosed }
        buffer.append(contentsOf: data)
        // Keep at least one byte back: the final chunk must carry the last-chunk flag.
        var start = 0
        while buffer.count - start > AgeStream.chunkSize {
            let chunk = try stream.seal(buffer[start..<(start + AgeStream.chunkSize)], last: false)
            start += AgeStream.chunkSize
            do { try sink(chunk) } catch { closed = true; throw error }
        }
        if start > 0 { buffer.removeFirst(start) }
    }

    /// Seals the final chunk (empty only when the whole plaintext is empty).
    public func finish() throws {
        guard !closed else { throw AgeError.streamClosed }
        closed = true
        try sink(try stream.seal(buffer[...], last: true))
        buffer = []
    }
}

/// One-shot and file-to-file conveniences.
public enum Age {
    /// Encrypts `plaintext` in memory.
    public static func encrypt(_ plaintext: Data, to target: AgeEncryptionTarget) throws -> Data {
        var output = Data()
        let encryptor = try AgeEncryptor(to: target) { output.append($0) }
        try encryptor.write(plaintext)
        try encryptor.finish()
        return output
    }

    /// Decrypts an age file held in memory.
    public static func decrypt(_ ciphertext: Data, with key: AgeDecryptionKey) throws -> Data {
        var output = Data()
        let decryptor = AgeDecryptor(with: key) { output.append($0) }
        try decryptor.write(ciphertext)
        try decryptor.finish()
        return output
    }

    /// Streams `input` to `output` encrypted, reading 64 KiB at a time.
    public static func encrypt(from input: FileHandle, to output: FileHandle, target: AgeEncryptionTarget) throws {
        let encryptor = try AgeEncryptor(to: target) { try output.write(contentsOf: $0) }
        while let data = try input.read(upToCount: AgeStream.chunkSize), !data.isEmpty {
            try encryptor.write(data)
        }
        try encryptor.finish()
    }

    /// Streams the age file `input` to `output` decrypted. On error, `output` may hold a prefix of
    /// authenticated plaintext; callers must discard it.
    public static func decrypt(from input: FileHandle, to output: FileHandle, key: AgeDecryptionKey) throws {
        let decryptor = AgeDecryptor(with: key) { try output.write(contentsOf: $0) }
        while let data = try input.read(upToCount: AgeStream.sealedChunkSize), !data.isEmpty {
            try decryptor.write(data)
        }
        try decryptor.finish()
    }
}
