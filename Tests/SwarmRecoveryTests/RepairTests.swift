import Foundation
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmRecovery
import SwarmStore
import SwarmTestSupport
import Testing

/// `repair` on real fixture folders, each damaged the way disks and crashes damage them.
@Suite struct RepairTests {
    @Test(arguments: Fixtures.readManagers)
    func aHealthyFolderIsLeftAlone(_ scenario: String, _ node: String) throws {
        let (parent, folder) = try RepairFixture.copy(scenario, node)
        defer { try? FileManager.default.removeItem(at: parent) }
        let key = try RepairFixture.key(scenario)
        let before = try RepairFixture.fingerprint(parent)
        let (plan, aside) = try StateRepair(directory: StateDirectory(path: folder.path), unlockKey: key).run()
        #expect(plan.isHealthy, "\(plan.findings)")
        #expect(aside == nil)
        let loaded = try #require(try RepairFixture.load(folder, key: key).raft)
        #expect(plan.lastIndex == loaded.lastIndex)
        #expect(plan.hardStateAfter == loaded.hardState)
        #expect(try RepairFixture.fingerprint(parent) == before)
    }

    /// (a) A crash mid-write: etcd cuts the torn record off, and so does repair.
    @Test func aTornLastRecordIsCutOff() throws {
        let (parent, folder) = try RepairFixture.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let pristine = try RepairFixture.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: pristine.parent) }
        let segment = try #require(try RepairFixture.segments(folder).first)
        let data = try Data(contentsOf: segment)
        let end = try #require(data.indices.last { data[$0] != 0 }) + 1
        try data.prefix(end - 300).write(to: segment)
        // What the loader (like etcd) makes of the torn folder is what repair must keep.
        let torn = try #require(try RepairFixture.load(folder).raft)
        #expect(torn.wal.tornTail != nil)
        let damaged = try RepairFixture.fingerprint(folder)

        let repair = StateRepair(directory: StateDirectory(path: folder.path), unlockKey: nil)
        let plan = try repair.plan()
        #expect(try RepairFixture.fingerprint(folder) == damaged, "planning must not change anything")
        let finding = try #require(plan.findings.first)
        #expect(plan.findings.count == 1)
        #expect(finding.kind == .walTornTail)
        #expect(finding.file == "raft/wal-v3-encrypted/" + segment.lastPathComponent)
        #expect(finding.offset == torn.wal.end.offset)
        #expect(plan.lastIndex == torn.lastIndex)
        #expect(plan.cutFromIndex == torn.lastIndex + 1)

        let (_, aside) = try repair.run()
        let previous = try #require(aside)
        #expect(try RepairFixture.fingerprint(URL(fileURLWithPath: previous)) == damaged, "the rollback copy is the folder as it was")
        let repaired = try RepairFixture.load(folder)
        try RepairFixture.expectClean(repaired)
        let log = try #require(repaired.raft)
        #expect(log.lastIndex == torn.lastIndex)
        #expect(log.hardState == plan.hardStateAfter)
        #expect(log.hardState.commit == min(torn.hardState.commit, torn.lastIndex))
        #expect(RepairFixture.objects(try #require(repaired.cluster).store)
            == (try RepairFixture.objects(of: pristine.folder, through: torn.lastIndex)))
        // Judged from outside by swarmkit's own decoder's reading of the intact fixture: no
        // object from after the cut, every other object as it read it or older.
        try GoldenStore.expect(repaired.cluster?.store, cutAt: torn.lastIndex, of: Fixtures.goldenObjects("single-manager", "manager-1"))
        // Repairing again finds nothing.
        #expect(try repair.plan().isHealthy)
    }

    /// (b) A CRC mismatch in a middle segment: the record and everything after it is lost,
    /// the later segments are set aside.
    @Test func aCRCMismatchInAMiddleSegmentEndsTheLogThere() throws {
        let (parent, folder) = try RepairFixture.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        try RepairFixture.reencode(folder, segmentSize: 4096)
        let segments = try RepairFixture.segments(folder)
        #expect(segments.count >= 4)
        let intact = try RepairFixture.load(folder)
        let log = try #require(intact.raft)
        let middle = segments[segments.count / 2].lastPathComponent
        let victim = try #require(log.entries.first { $0.position.segment == middle })
        let pristine = try RepairFixture.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: pristine.parent) }
        try RepairFixture.reencode(pristine.folder, segmentSize: 4096)
        try RepairFixture.patch(RepairFixture.walDirectory(folder).appendingPathComponent(middle),
            at: try RepairFixture.lastRecordByte(victim.position, in: folder)) { $0 ^ 0x40 }
        #expect(throws: WALError.self) { try RepairFixture.load(folder) }

        let repair = StateRepair(directory: StateDirectory(path: folder.path), unlockKey: nil)
        let plan = try repair.plan()
        let corrupt = try #require(plan.findings.first)
        #expect(corrupt.kind == .walCorrupt)
        #expect(corrupt.file == "raft/wal-v3-encrypted/" + middle)
        #expect(corrupt.offset == victim.position.offset)
        #expect(corrupt.index == victim.index)
        #expect(corrupt.reason.contains("CRC mismatch"))
        let later = segments.filter { $0.lastPathComponent > middle }.map { "raft/wal-v3-encrypted/" + $0.lastPathComponent }
        #expect(plan.findings.dropFirst().map(\.file) == later)
        #expect(plan.findings.dropFirst().allSatisfy { $0.kind == .walSegmentUnreachable && $0.action == .setAside })
        #expect(plan.lastIndex == victim.index - 1)
        #expect(plan.hardStateAfter.commit == min(try #require(intact.raft).hardState.commit, victim.index - 1))

        let (_, aside) = try repair.run()
        let previous = try #require(aside)
        for file in later { #expect(FileManager.default.fileExists(atPath: previous + "/" + file)) }
        let repaired = try RepairFixture.load(folder)
        try RepairFixture.expectClean(repaired)
        #expect(repaired.raft?.lastIndex == victim.index - 1)
        #expect(RepairFixture.objects(try #require(repaired.cluster).store)
            == (try RepairFixture.objects(of: pristine.folder, through: victim.index - 1)))
        try GoldenStore.expect(repaired.cluster?.store, cutAt: victim.index - 1, of: Fixtures.goldenObjects("single-manager", "manager-1"))
    }

    /// (c) The only snapshot is damaged, but the WAL still holds every entry from index 1:
    /// nothing is lost.
    @Test func aDamagedOnlySnapshotFallsBackToTheWholeLog() throws {
        let (parent, folder) = try RepairFixture.copy("ha-3mgr-snapshot", "manager-2")
        defer { try? FileManager.default.removeItem(at: parent) }
        let original = try RepairFixture.load(folder)
        let snap = RepairFixture.snapDirectory(folder).appendingPathComponent("0000000000000002-0000000000000078.snap")
        try RepairFixture.patch(snap, at: 100) { $0 ^ 0xff }

        let (plan, aside) = try StateRepair(directory: StateDirectory(path: folder.path), unlockKey: nil).run()
        #expect(plan.findings.map(\.kind) == [.snapshotDamaged])
        #expect(plan.findings.first?.reason.contains("CRC mismatch") == true)
        #expect(plan.snapshot == nil)
        #expect(plan.lastIndex == original.raft?.lastIndex)
        #expect(plan.hardStateAfter == original.raft?.hardState)
        let previous = try #require(aside)
        #expect(FileManager.default.fileExists(atPath: previous + "/raft/snap-v3-encrypted/" + snap.lastPathComponent))
        #expect(try FileManager.default.contentsOfDirectory(atPath: RepairFixture.snapDirectory(folder).path) == [])
        let repaired = try RepairFixture.load(folder)
        try RepairFixture.expectClean(repaired)
        let objects = RepairFixture.objects(try #require(repaired.cluster).store)
        #expect(objects == (try RepairFixture.objectsFromWAL(of: Fixtures.folder("ha-3mgr-snapshot", "manager-2"))))
        // The same objects at the same versions as the snapshot-based state had.
        #expect(Self.versions(try #require(repaired.cluster).store) == Self.versions(try #require(original.cluster).store))
        // Nothing was lost: every object is what swarmkit's own decoder read from the
        // undamaged fixture, field by field.
        #expect(try GoldenStore.lines(repaired.cluster?.store) == Fixtures.goldenObjects("ha-3mgr-snapshot", "manager-2"))
    }

    /// (c) The newest snapshot is damaged and an older, intact one exists that the WAL
    /// reaches back to: the state starts there and the entries after it bring it up to date.
    @Test func aDamagedNewestSnapshotFallsBackToTheOlderOne() throws {
        let (parent, folder) = try RepairFixture.copy("ha-3mgr-snapshot", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let original = try RepairFixture.load(folder)
        let log = try #require(original.raft)
        // A genuine older snapshot at index 50: the store replayed from the log's start to
        // there. swarmkit's own snapshots were at multiples of 20, so the WAL holds no
        // snapshot record for this one and the repaired WAL must get one.
        let older = try Self.writeSnapshot(of: folder, at: 50)
        let newest = RepairFixture.snapDirectory(folder).appendingPathComponent("0000000000000002-0000000000000078.snap")
        try RepairFixture.patch(newest, at: 2000) { $0 ^ 0x01 }

        let (plan, _) = try StateRepair(directory: StateDirectory(path: folder.path), unlockKey: nil).run()
        #expect(plan.findings.map(\.kind) == [.snapshotDamaged, .walSnapshotRecordMissing])
        #expect(plan.snapshot?.fileName == older)
        #expect(plan.snapshotIndex == 50)
        #expect(plan.lastIndex == log.lastIndex)
        let repaired = try RepairFixture.load(folder)
        try RepairFixture.expectClean(repaired)
        #expect(repaired.raft?.snapshot?.name.fileName == older)
        #expect(RepairFixture.objects(try #require(repaired.cluster).store)
            == (try RepairFixture.objectsFromWAL(of: Fixtures.folder("ha-3mgr-snapshot", "manager-1"))))
        #expect(Self.versions(try #require(repaired.cluster).store) == Self.versions(try #require(original.cluster).store))
        #expect(try GoldenStore.lines(repaired.cluster?.store) == Fixtures.goldenObjects("ha-3mgr-snapshot", "manager-1"))
    }

    /// Every object's kind, ID and version index.
    static func versions(_ store: ObjectStore) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for kind in ObjectKind.allCases {
            for object in store.objects(kind) { result["\(kind)/\(object.id)"] = object.versionIndex }
        }
        return result
    }

    /// (c) The newest snapshot is damaged and the WAL was compacted up to it: no consistent
    /// state exists, and repair refuses without touching anything.
    @Test func aDamagedSnapshotOverACompactedLogIsRefused() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-repair-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("swarm")
        let source = try RepairFixture.load(Fixtures.folder("ha-3mgr-snapshot", "manager-1"))
        _ = try source.rewrite(to: StateDirectory(path: folder.path), mode: .compact)
        let snap = try #require(try FileManager.default.contentsOfDirectory(atPath: RepairFixture.snapDirectory(folder).path).first)
        try RepairFixture.patch(RepairFixture.snapDirectory(folder).appendingPathComponent(snap), at: 64) { $0 ^ 0x10 }
        let before = try RepairFixture.fingerprint(parent)

        let repair = StateRepair(directory: StateDirectory(path: folder.path), unlockKey: nil)
        let attempts: [() throws -> Void] = [{ _ = try repair.plan() }, { _ = try repair.run() }]
        for attempt in attempts {
            do {
                try attempt()
                Issue.record("a compacted log behind a damaged snapshot must be refused")
            } catch let error as RepairError {
                guard case .walDoesNotReachBack(_, _, _, let damaged) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(damaged == [snap])
                #expect(error.isUnsalvageable)
                #expect(!error.description.contains("\n"))
            }
        }
        #expect(try RepairFixture.fingerprint(parent) == before)
    }

    /// (d) Entries whose records are intact but whose payload does not decrypt or decode end
    /// the log just before them.
    @Test(arguments: ["decrypt", "decode"])
    func anUnusableEntryEndsTheLogBeforeIt(_ damage: String) throws {
        let (parent, folder) = try RepairFixture.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: parent) }
        let original = try RepairFixture.load(folder)
        let log = try #require(original.raft)
        let cipher = try original.raftCipher()
        var victim: UInt64 = 0
        try log.forEachEntry { entry in
            if victim == 0, entry.index >= 10, entry.type == .entryNormal, !entry.payload.isEmpty { victim = entry.index }
        }
        try #require(victim > 0)
        try RepairFixture.reencode(folder) { entry in
            guard entry.index == victim else { return nil }
            if damage == "decode" { return try cipher.encryptSerialized(Data([0xff, 0xff, 0xff])) }
            var record = try SwarmMaybeEncryptedRecord(serializedBytes: entry.data)
            record.data[record.data.startIndex] ^= 0x01
            return try record.serializedBytes()
        }
        let before = try RepairFixture.fingerprint(folder)
        let repair = StateRepair(directory: StateDirectory(path: folder.path), unlockKey: nil)
        let plan = try repair.plan()
        #expect(try RepairFixture.fingerprint(folder) == before)
        let finding = try #require(plan.findings.first)
        #expect(plan.findings.count == 1)
        #expect(finding.kind == .entryUnusable)
        #expect(finding.index == victim)
        #expect(finding.reason.contains(damage))
        #expect(plan.lastIndex == victim - 1)
        #expect(plan.droppedEntries == Int(log.lastIndex - victim) + 1)
        #expect(plan.hardStateAfter.commit == min(log.hardState.commit, victim - 1))
        #expect(plan.hardStateAfter.term == log.hardState.term)

        _ = try repair.run()
        let repaired = try RepairFixture.load(folder)
        try RepairFixture.expectClean(repaired)
        #expect(repaired.raft?.lastIndex == victim - 1)
        #expect(RepairFixture.objects(try #require(repaired.cluster).store)
            == (try RepairFixture.objects(of: Fixtures.folder("single-manager", "manager-1"), through: victim - 1)))
    }

    /// Writes an intact snapshot file of the folder's state at `index` (from a replay of its
    /// log up to there) and returns its name.
    static func writeSnapshot(of folder: URL, at index: UInt64) throws -> String {
        let node = try RepairFixture.load(folder)
        let log = try #require(node.raft)
        // The entries the snapshot covers are still in the WAL; read it from its start.
        let reader = WALSalvageReader(directory: RepairFixture.walDirectory(folder))
        let whole = try reader.read().contents.entries
        let stop = try #require(whole.first { $0.index == index + 1 })
        let term = try #require(whole.first { $0.index == index }).term
        let prefix = try reader.read(stoppingAt: stop.position)
        let limited = RaftLog(layout: log.layout, snapshot: nil, snapshotPayload: nil, wal: prefix.contents, decrypter: log.decrypter)
        let state = try Replayer.replay(limited, localMember: node.localMember)
        var snapshot = RaftSnapshot()
        snapshot.data = try node.raftCipher().encryptSerialized(
            try SnapshotPayload.make(store: state.store, membership: state.membership))
        snapshot.metadata.index = index
        snapshot.metadata.term = term
        snapshot.metadata.confState.voters = state.voters.sorted()
        return try SnapshotWriter(directory: RepairFixture.snapDirectory(folder)).save(snapshot).lastPathComponent
    }
}
