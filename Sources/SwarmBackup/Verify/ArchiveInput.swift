#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats

/// The plaintext tar stream of a backup archive, pulled in chunks: straight from the file, or
/// through age decryption when the file starts with age's header line.
final class ArchiveInput {
    static let ageMagic = Data("age-encryption.org/v1\n".utf8)

    let path: String
    let isEncrypted: Bool
    private let fd: Int32
    private let decryptor: AgeDecryptor?
    private var pending = Data()
    private var finished = false
    private(set) var bytesRead: Int64 = 0
    let size: Int64

    init(path: String, key: AgeDecryptionKey?) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open", errno: errno) }
        self.fd = fd
        self.path = path
        var info = stat()
        fstat(fd, &info)
        size = Int64(info.st_size)
        var head = [UInt8](repeating: 0, count: Self.ageMagic.count)
        let n = pread(fd, &head, head.count, 0)
        isEncrypted = n == head.count && Data(head) == Self.ageMagic
        if isEncrypted {
            guard let key else {
                close(fd)
                throw VerifyError.identityRequired(path: path)
            }
            let box = PendingBox()
            decryptor = AgeDecryptor(with: key) { box.data.append(contentsOf: $0) }
            self.box = box
        } else {
            decryptor = nil
            box = nil
        }
    }

    private let box: PendingBox?

    deinit { close(fd) }

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
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, operation: "read", errno: errno)
            }
            bytesRead += Int64(n)
            return n
        }
    }

    /// Plaintext the decryptor produced that the reader has not taken yet.
    private final class PendingBox {
        var data: [UInt8] = []
        var consumed = 0
    }
}
