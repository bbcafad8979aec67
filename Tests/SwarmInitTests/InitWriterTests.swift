import Foundation
import SwarmFormats
import SwarmConventions
import SwarmInit
import SwarmNode
import SwarmProto
import SwarmTestSupport
import Testing

/// The folder `SwarmInitializer` writes, record by record against swarmkit's WAL.
@Suite struct InitWriterTests {
    struct Frame {
        let record: WALRecord
        let length: Int
        let padding: Int
    }

    /// Every frame up to the first zero length word.
    static func frames(_ segment: URL) throws -> [Frame] {
        let handle = try FileHandle(forReadingFrom: segment)
        defer { try? handle.close() }
        let bytes = [UInt8](try handle.read(upToCount: 1 << 20) ?? Data())
        var frames: [Frame] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            var word: UInt64 = 0
            for index in 0..<8 { word |= UInt64(bytes[offset + index]) << (8 * index) }
            if word == 0 { break }
            let length = Int(word & 0x00FF_FFFF_FFFF_FFFF)
            let padding = word & (1 << 63) != 0 ? Int((word >> 56) & 0x7) : 0
            let record = try WALRecord(serializedBytes: Data(bytes[(offset + 8)..<(offset + 8 + length)]))
            frames.append(Frame(record: record, length: length, padding: padding))
            offset += 8 + length + padding
        }
        return frames
    }

    static let segmentName = "raft/wal-v3-encrypted/0000000000000000-0000000000000000.wal"

    static func target() -> StateDirectory {
        StateDirectory(path: FileManager.default.temporaryDirectory
            .appendingPathComponent("swarmsafe-initwriter-\(UUID().uuidString.prefix(8))").path)
    }

    /// With swarmkit's identity and keys, our WAL has swarmkit's records: same types and data
    /// sizes everywhere, and the same data wherever no random nonce is involved (metadata,
    /// snapshot and state records).
    @Test("WAL records are swarmkit's", arguments: ["fresh-init", "fresh-init-autolock"])
    func walRecordsMatchSwarmkit(scenario: String) throws {
        let reference = try InitPlanTests.Reference.load(scenario)
        let target = Self.target()
        defer { try? FileManager.default.removeItem(at: target.root) }
        try SwarmInitializer(plan: reference.plan).write(to: target)
        let ours = try Self.frames(target.root.appendingPathComponent(Self.segmentName))
        let theirs = try Self.frames(reference.folder.appendingPathComponent(Self.segmentName))
        #expect(ours.map(\.record.type) == theirs.map(\.record.type))
        #expect(ours.map(\.record.type) == [4, 1, 5] + Array(repeating: [2, 3], count: 7).flatMap { $0 })
        for (mine, swarmkits) in zip(ours, theirs) {
            // Whole records may differ by a byte: the CRC is a varint and follows the nonces.
            #expect((mine.length + mine.padding) % 8 == 0)
            #expect(mine.record.data.count == swarmkits.record.data.count)
            #expect(mine.record.hasData == swarmkits.record.hasData)
            if mine.record.type != 2 {
                #expect(mine.record.data == swarmkits.record.data, "record type \(mine.record.type)")
            }
        }
    }

    @Test func writtenFolderReadsBack() throws {
        let options = try InitOptions(advertiseAddress: AdvertiseAddress(parsing: "[fd00::5]:2400"), autolock: true, hostname: "h1")
        let plan = try SwarmInitPlan.generate(options: options, now: Date())
        let target = Self.target()
        defer { try? FileManager.default.removeItem(at: target.root) }
        try SwarmInitializer(plan: plan).write(to: target)
        let node = try NodeLoader(unlockKey: plan.credentials.unlockKey).loadManager(target)
        #expect(node.warnings.isEmpty)
        #expect(node.localMember == plan.localMember)
        #expect(node.raft?.hardState == plan.hardState)
        #expect(node.knownManagers == [KnownManager(nodeID: plan.identity.nodeID, addr: "[fd00::5]:2400")])
        let store = try #require(node.cluster?.store)
        #expect(try store.get(.cluster, id: plan.identity.clusterID)?.decoded() == .cluster(plan.cluster))
        #expect(try store.get(.node, id: plan.identity.nodeID)?.decoded() == .node(plan.node))
        #expect(try store.get(.network, id: plan.identity.ingressNetworkID)?.decoded() == .network(plan.ingressNetwork))
        #expect(throws: StagingError.targetNotEmpty(path: target.path)) { try SwarmInitializer(plan: plan).write(to: target) }
    }
}
