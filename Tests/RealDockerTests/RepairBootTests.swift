import Foundation
import RealDocker
import Testing

extension RealDockerSuite {
    /// The two crash damages a real dockerd cannot start from, and `repair` on each.
    @Suite struct Repair {
        /// The byte offset and length of the last record of the newest WAL segment: etcd's
        /// frames, a little-endian length word (padding in its top byte) and the padded record.
        static func lastRecord(in segment: URL) throws -> (offset: Int, length: Int, end: Int) {
            let data = try Data(contentsOf: segment)
            var offset = 0
            var last: (Int, Int, Int)?
            while offset + 8 <= data.count {
                let word = data[offset..<(offset + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
                if word == 0 { break }
                let length = Int(word & 0x00FF_FFFF_FFFF_FFFF)
                let padding = word & (1 << 63) != 0 ? Int((word >> 56) & 0x7) : 0
                let end = offset + 8 + length + padding
                guard end <= data.count else { break }
                last = (offset, length, end)
                offset = end
            }
            guard let last else { throw HarnessError.unexpected("no record in \(segment.path)") }
            return last
        }

        static func newestSegment(_ engine: DockerEngine) throws -> URL {
            let folder = engine.stateDirectory.appendingPathComponent("raft/wal-v3-encrypted")
            guard let name = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter({ $0.hasSuffix(".wal") }).sorted().last else {
                throw HarnessError.unexpected("no WAL segment in \(folder.path)")
            }
            return folder.appendingPathComponent(name)
        }

        static func overwrite(_ file: URL, at offset: Int, with bytes: [UInt8]) throws {
            let handle = try FileHandle(forUpdating: file)
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: Data(bytes))
        }

        /// `swarmsafe repair`, then dockerd starts an active manager with what was kept.
        static func repairAndBoot(_ engine: DockerEngine, keeping secrets: [String]) throws -> String {
            let repair = try SwarmsafeCLI.expectSuccess(["repair", "--state-dir", engine.stateDirectory.path])
            try engine.start()
            try waitActiveManager(engine)
            #expect(try names(engine, "secret") == secrets)
            try waitRunning(engine, "web", "1/1")
            return repair.stdout
        }

        @Test func bothDamagesDockerdCannotStartFromAreRepairedAndBoot() throws {
            try withLab { lab in
                let engine = try lab.engine("repaired")
                try makeSmallSwarm(engine)

                // 1. Other bytes inside the last record (fixed ones, so every run sees the
                // same damage): its CRC no longer matches.
                let segment = try Self.newestSegment(engine)
                let record = try Self.lastRecord(in: segment)
                let middle = record.offset + 8 + record.length / 2
                let original = try Data(contentsOf: segment)[middle..<(middle + 4)]
                try Self.overwrite(segment, at: middle, with: original.map { $0 ^ 0x5A })
                try engine.start()
                try waitUntil("\(engine.name) refuses the damaged log", timeout: 30) {
                    try engine.swarmInfo()["LocalNodeState"] as? String == "error"
                }
                let crcError = try engine.swarmInfo()["Error"] as? String ?? ""
                #expect(crcError.contains("walpb: crc mismatch"))
                engine.stop()
                let firstRepair = try Self.repairAndBoot(engine, keeping: ["kept"])
                #expect(firstRepair.contains("CRC mismatch"))
                show("dockerd on random bytes inside the last record", crcError)
                show("swarmsafe repair", firstRepair)
                engine.stop()

                // 2. Garbage after the last record: dockerd 20.10 panics in the etcd decoder.
                let segment2 = try Self.newestSegment(engine)
                let end = try Self.lastRecord(in: segment2).end
                try Self.overwrite(segment2, at: end, with: [UInt8](repeating: 0xAB, count: 64))
                #expect(throws: HarnessError.self) { try engine.start(timeout: 30) }
                let panic = engine.logTail(lines: 400)
                #expect(panic.contains("panic:"))
                let secondRepair = try Self.repairAndBoot(engine, keeping: ["kept"])
                show("dockerd on garbage after the last record", panic.split(separator: "\n").first { $0.hasPrefix("panic:") }.map(String.init) ?? "")
                show("swarmsafe repair", secondRepair)
            }
        }
    }
}
