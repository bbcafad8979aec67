import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore

extension RepairPlan {
    /// Reads `directory` (never writing to it) and works out the plan. Throws `RepairError`
    /// when no consistent state can be salvaged, key errors when the data key is locked.
    static func make(directory: StateDirectory, unlockKey: UnlockKey?) throws -> RepairPlan {
        try directory.validate()
        guard directory.isManager else { throw StateDirectoryError.worker(path: directory.path) }
        guard let layout = directory.raftLayout else { throw StateDirectoryError.noWAL(path: directory.raftDirectory.path) }
        let decrypter: any RaftPayloadDecrypter =
            layout.isEncrypted
            ? try NodeKeys.load(keyFile: directory.nodeKey, unlockKey: unlockKey).raftDecrypter : PlaintextPayloads()
        let paths = RelativePaths(layout: layout)

        let survey = try SnapshotSurvey(directory: directory.snapshotDirectory(layout), decrypter: decrypter)
        let chosen = survey.good.first
        let start = chosen.map { WALStart(index: $0.loaded.index, term: $0.loaded.term) } ?? WALStart()
        let startName = chosen.map { "snapshot \($0.loaded.name.fileName) (index \($0.loaded.index))" } ?? "the beginning of the log"

        let reader = WALSalvageReader(directory: directory.walDirectory(layout))
        let readable = try reader.read(from: start)
        if let continuesAt = disconnection(readable, start: start) {
            throw RepairError.walDoesNotReachBack(
                walDirectory: directory.walDirectory(layout).path, start: startName, continuesAt: continuesAt,
                damagedSnapshots: survey.damaged.map(\.name.fileName))
        }
        guard let metadata = readable.contents.metadata else {
            throw RepairError.noMetadata(walDirectory: directory.walDirectory(layout).path)
        }

        let check = try EntryCheck.run(readable.contents, decrypter: decrypter)
        let anyDecrypted = !survey.good.isEmpty || check.decrypted > 0
        let decryptFailure = survey.damaged.first(where: \.decryptFailed).map { "\($0.path): \($0.reason)" }
            ?? check.firstUnusable.flatMap { $0.decryptFailed ? "\($0.position) (entry \($0.index)): \($0.reason)" : nil }
        if !anyDecrypted, let decryptFailure {
            throw RepairError.nothingDecrypts(keyFile: directory.nodeKey.path, firstFailure: decryptFailure)
        }
        let kept = try check.firstUnusable.map { try reader.read(from: start, stoppingAt: $0.position) } ?? readable

        let log = RaftLog(
            layout: layout, snapshot: chosen?.loaded, snapshotPayload: chosen?.payload, wal: kept.contents,
            decrypter: decrypter)
        let local = try? SwarmRaftMember(serializedBytes: metadata)
        let cluster = try Replayer.replay(log, localMember: local)
        let old = readable.contents.hardState
        let after = SalvageHardState.make(
            old: old, snapshotIndex: log.snapshotIndex, snapshotTerm: log.snapshotTerm, lastIndex: log.lastIndex,
            maxEntryTerm: kept.contents.entries.map(\.term).max() ?? 0,
            members: Set(cluster.voters + cluster.membership.raftIDs))

        var findings = survey.damaged.map { damaged in
            RepairFinding(
                kind: .snapshotDamaged, file: paths.snapshot(damaged.name.fileName), offset: nil, index: nil,
                reason: damaged.reason, action: .setAside)
        }
        findings += walFindings(readable, paths: paths, start: start, startName: startName)
        if let bad = check.firstUnusable {
            findings.append(RepairFinding(
                kind: .entryUnusable, file: paths.wal(bad.position.segment), offset: bad.position.offset, index: bad.index,
                reason: bad.reason, action: .cut))
        }
        if findings.isEmpty,
            let reason = SalvageHardState.reasons(old: old, new: after, lastIndex: log.lastIndex, snapshotIndex: log.snapshotIndex)
        {
            findings.append(RepairFinding(
                kind: .hardStateInconsistent, file: paths.walDirectory, offset: nil, index: nil, reason: reason,
                action: .rewritten))
        }
        let cut = check.firstUnusable?.index ?? readable.stop.map { _ in (readable.contents.lastIndex ?? start.index) + 1 }
        return RepairPlan(
            stateDir: directory.path, findings: findings, snapshot: chosen?.loaded.name, snapshotIndex: log.snapshotIndex,
            snapshotTerm: log.snapshotTerm, entries: kept.contents.entries.count, lastIndex: log.lastIndex,
            lastTerm: log.lastTerm, droppedEntries: readable.contents.entries.count - kept.contents.entries.count,
            cutFromIndex: cut, hardStateBefore: old, hardStateAfter: after,
            salvage: Salvage(log: log, metadata: metadata, snapshots: survey.good.map(\.loaded)))
    }

    /// The index the WAL's records continue at when they do not connect to `start`: the
    /// entries in between were compacted away, and keeping `start` alone would silently drop
    /// an intact log. Nil when they connect (or there is nothing after `start`).
    static func disconnection(_ salvage: WALSalvage, start: WALStart) -> UInt64? {
        let entries = salvage.contents.entries
        if entries.isEmpty, case .damaged(.entryGap(_, let index, _))? = salvage.stop { return index }
        let reached = entries.last?.index ?? start.index
        // swarmkit writes a snapshot's WAL record after the entries it covers; a record past
        // the entries that are there means those entries were purged from this WAL.
        if let newest = salvage.contents.snapshotRecords.map(\.index).max(), newest > reached { return newest + 1 }
        if !salvage.reachesStart, entries.isEmpty, salvage.firstSegmentIndex > start.index + 1 {
            return salvage.firstSegmentIndex
        }
        return nil
    }

    static func walFindings(
        _ salvage: WALSalvage, paths: RelativePaths, start: WALStart, startName: String
    ) -> [RepairFinding] {
        var findings: [RepairFinding] = []
        let cutIndex = (salvage.contents.lastIndex ?? start.index) + 1
        switch salvage.stop {
        case .tornTail(let at, let reason)?:
            findings.append(RepairFinding(
                kind: .walTornTail, file: paths.wal(at.segment), offset: at.offset, index: cutIndex,
                reason: "torn last record (\(reason)), as a crash mid-write leaves it", action: .cut))
        case .damaged(let error)?:
            let at = error.position ?? salvage.stopPosition
            findings.append(RepairFinding(
                kind: .walCorrupt, file: at.map { paths.wal($0.segment) } ?? paths.walDirectory, offset: at?.offset,
                index: cutIndex, reason: paths.withoutLocation(error), action: .cut))
        case nil:
            if !salvage.snapshotRecordFound {
                findings.append(RepairFinding(
                    kind: .walSnapshotRecordMissing, file: paths.walDirectory, offset: nil, index: nil,
                    reason: "holds no snapshot record for \(startName), which swarmkit needs to open the WAL",
                    action: .rewritten))
            }
        }
        for segment in salvage.unreadSegments {
            findings.append(RepairFinding(
                kind: .walSegmentUnreachable, file: paths.wal(segment.fileName), offset: nil, index: segment.firstIndex,
                reason: "comes after the damage: its records cannot be chained to the log before it", action: .setAside))
        }
        return findings
    }
}

/// Paths as the report gives them: relative to the state directory, so the same path names
/// the damaged file inside the rollback copy.
struct RelativePaths {
    let layout: RaftLayout

    var walDirectory: String { "raft/" + layout.walDirectoryName }
    var snapshotDirectory: String { "raft/" + layout.snapshotDirectoryName }
    func wal(_ segment: String) -> String { walDirectory + "/" + segment }
    func snapshot(_ file: String) -> String { snapshotDirectory + "/" + file }

    /// A WAL error's text without its leading location, which the finding carries apart.
    func withoutLocation(_ error: WALError) -> String {
        let text = error.description
        if let at = error.position, text.hasPrefix("\(at): ") { return String(text.dropFirst("\(at): ".count)) }
        if let colon = text.range(of: ": "), text.hasPrefix("/") { return String(text[colon.upperBound...]) }
        return text
    }
}
