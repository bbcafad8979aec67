#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats

/// The plaintext tar stream of a backup archive, pulled in chunks: straight from its bytes,
/// or through age decryption when they start with age's header line.
final class ArchiveInput {
    static let ageMagic = Data("age-encryption.org/v1\n".utf8)

    let path: String
    let isEncrypted: Bool
    private let source: any ArchiveByteSource
    private let decryptor: AgeDecryptor?
    /// The first bytes, read to tell whether the archive is encrypted, handed out again.
    private var head: [UInt8]
    private var finished = false
    private(set) var bytesRead: Int64 = 0
    var size: Int64 { source.size }

    init(source: any ArchiveByteSource, name path: String, key: AgeDecryptionKey?) throws {
        self.source = source
        self.path = path
        var head = [UInt8](repeating: 0, count: Self.ageMagic.count)
        var filled = 0
        while filled < head.count {
            let n = try head.withUnsafeMutableBytes { all in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: all[filled...]))
            }
            if n == 0 { break }
            filled += n
        }
        head.removeLast(head.count - filled)
        self.head = head
        isEncrypted = Data(head) == Self.ageMagic
        if isEncrypted {
            guard let key else { throw VerifyError.identityRequired(path: path) }
            let box = PendingBox()
            decryptor = AgeDecryptor(with: key) { box.data.append(contentsOf: $0) }
            self.box = box
        } else {
            decryptor = nil
            box = nil
        }
    }

    private let box: PendingBox?
    /// Fills `buffer` with plaintext; returns 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let decryptor, let box else { return try readRaw(into: buffer) }
        while box.data.count == box.consumed && !finished {
            var chunk = [UInt8](repeating: 0, count: 256 << 10)
            let n = try chunk.withUnsafeMutableBytes { try readRaw(into: $0) }
            do {
                if n == 0 {
                    finished = true
                    try decryptor.finish()
                } else {
                    try decryptor.write(Data(chunk[0..<n]))
                }
            } catch let error as AgeError {
                switch error {
                case .noMatchingIdentity, .incorrectPassphrase, .passphraseMismatch, .workFactorTooLarge:
                    throw VerifyError.decryption(path: path, reason: "\(error)")
                default:
                    // The key opened the file; what follows does not authenticate: damage.
                    throw VerifyError.unreadable(path: path, reason: "\(error)")
                }
            }
        }
        let count = min(buffer.count, box.data.count - box.consumed)
        box.data.withUnsafeBytes {
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[box.consumed..<(box.consumed + count)]))
        }
        box.consumed += count
        if box.consumed == box.data.count {
            // Drained: start over with the same storage instead of letting it grow.
            box.data.removeAll(keepingCapacity: true)
            box.consumed = 0
        }
        return count
    }

    private func readRaw(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !head.isEmpty {
            let count = min(buffer.count, head.count)
            head.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            head.removeFirst(count)
            bytesRead += Int64(count)
            return count
        }
        let n = try source.read(into: buffer)
        bytesRead += Int64(n)
        return n
    }

    /// Plaintext the decryptor produced that the reader has not taken yet.
    private final class PendingBox {
        var data: [UInt8] = []
        var consumed = 0
    }
}
