import Foundation
import SwarmBackup
import SwarmFormats

/// The input is a backup archive (tar, gzip or zstd, possibly age-encrypted to the fuzz
/// identity), unpacked by `ArchiveUnpacker` as `verify` and `restore` do: every entry's path
/// checked, every file hashed and written into an empty folder. Whatever the archive says,
/// nothing may appear outside that folder.
enum ArchiveFuzz {
    static func run(_ data: Data) -> FuzzOutcome {
        FuzzScratch.withFolder("archive") { folder in
            let target = folder.appendingPathComponent("state")
            removeTree(target.path)
            do {
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
            } catch {
                fatalError("fuzz harness cannot create \(target.path): \(error)")
            }
            let unpacker = ArchiveUnpacker(name: "fuzz.tar.zst", key: .identities([FuzzKeys.ageIdentity])) {
                MemoryByteSource(data)
            }
            var unpacked: UnpackedArchive?
            let outcome = FuzzOutcome.of { unpacked = try unpacker.unpack(into: target.path) }
            let beside = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            precondition(beside == ["state"], "unpacking created \(beside.filter { $0 != "state" }) beside the target folder")
            if let unpacked {
                for (path, file) in unpacked.files {
                    let size = (try? FileManager.default.attributesOfItem(atPath: target.path + "/" + path)[.size] as? Int) ?? -1
                    precondition(size == Int(file.size), "\(path): unpacked as \(file.size) bytes, \(size) on disk")
                }
            }
            removeTree(target.path)
            return outcome
        }
    }

    /// The tree may hold folders the archive made read-only: open them up to remove it.
    private static func removeTree(_ path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        if isDirectory.boolValue {
            chmod(path, 0o700)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                removeTree(path + "/" + name)
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// An archive held in memory, handed out in the pieces the unpacker asks for.
final class MemoryByteSource: ArchiveByteSource {
    private let data: Data
    private var offset = 0
    var size: Int64 { Int64(data.count) }

    init(_ data: Data) { self.data = data }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, data.count - offset)
        guard count > 0 else { return 0 }
        data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<(offset + count))
        offset += count
        return count
    }
}
