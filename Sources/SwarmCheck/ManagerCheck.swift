import Foundation
import Logging
import SwarmBackup
import SwarmFormats
import SwarmConventions
import SwarmManager
import SwarmNode
import SwarmProto
import SwarmRecovery
import SwarmStateReplacement
import SwarmStore

/// `swarmsafe check`: proves a state directory or a backup boots. A scratch copy (the source
/// is only ever read) is booted by the embedded manager — recovered to a one-manager cluster
/// first when it still has other voters, as a restore would do it — its invariants are
/// checked, and a write probe creates and removes a service, restarts and reads back.
public struct ManagerCheck {
    public let source: String
    public let archiveKey: AgeDecryptionKey?
    public let unlockKey: UnlockKey?
    /// Where the scratch copy goes; the system temporary folder by default. It holds key
    /// material and is removed afterwards.
    public let workParent: String?
    /// The address the operator asked this manager to have (`ip:port`), after a move.
    public let expectedAddress: String?
    public let logger: Logger
    /// How to reach an `s3://` archive.
    public var s3: S3Settings?

    public init(
        source: String, archiveKey: AgeDecryptionKey? = nil, unlockKey: UnlockKey?, workParent: String? = nil,
        expectedAddress: String? = nil, logger: Logger = Logger(label: "swarmsafe.check")
    ) {
        self.expectedAddress = expectedAddress
        self.source = source
        self.archiveKey = archiveKey
        self.unlockKey = unlockKey
        self.workParent = workParent
        self.logger = logger
    }

    public func run() throws -> CheckReport {
        let work = try WorkDirectory(
            in: workParent ?? NSTemporaryDirectory(), name: (source as NSString).lastPathComponent, purpose: "check")
        let scratch = StateDirectory(path: (work.path as NSString).appendingPathComponent("swarm"))
        try copySource(into: scratch.path)

        var node = try NodeLoader(unlockKey: unlockKey).loadManager(scratch, replay: true)
        let others = (node.cluster?.voters ?? []).filter { $0 != node.localMember?.raftID }.count
        if others > 0 {
            logger.info("the copy has \(others) other voting manager(s); recovering it to a one-manager cluster first")
            try ForceNewCluster.applyInPlace(to: scratch, unlockKey: unlockKey)
            node = try NodeLoader(unlockKey: unlockKey).loadManager(scratch, replay: true)
        }

        let started = Date()
        var manager = try boot(scratch)
        let bootSeconds = Date().timeIntervalSince(started)
        let view = try manager.view()
        let invariants = try Invariants.check(view, node: node, now: Date(), expectedAddress: expectedAddress)
        var items = invariants.items
        let probe: CheckReport.Item
        do {
            (probe, manager) = try writeProbe(manager, scratch: scratch)
        } catch {
            // The probe's error is the one to report; the scratch copy goes away regardless.
            try? manager.close()
            throw error
        }
        items.append(probe)
        let final = try manager.view()
        try manager.close()
        // The counts are the checked state's, as booted: the probe's leftovers (its task,
        // awaiting swarmkit's cleanup) are the scratch copy's, not the operator's.
        return CheckReport(
            source: source, recoveredOnCopy: others, commitIndex: final.commitIndex,
            objects: Dictionary(uniqueKeysWithValues: ObjectKind.allCases.map { ($0.plural, view.store.count($0)) }),
            items: items, information: invariants.information, bootSeconds: bootSeconds)
    }

    private func copySource(into scratch: String) throws {
        switch ArchiveSources.isRemote(source) ? .other : try FileSync.entry(source) {
        case .missing:
            throw FileAccessError(path: source, operation: "open", errno: ENOENT)
        case .emptyDirectory, .nonEmptyDirectory:
            try StateDirectory(path: source).validate()
            try FileSync.makeDirectory(scratch, mode: 0o700)
            _ = try TreeCopy.copyContents(of: source, into: scratch)
        case .other:
            try FileSync.makeDirectory(scratch, mode: 0o700)
            let unpacked = try ArchiveUnpacker(archive: source, key: archiveKey, s3: s3).unpack(into: scratch)
            let findings = ManifestCheck.findings(unpacked)
            guard findings.isEmpty else {
                throw VerifyError.unreadable(path: source, reason: findings.joined(separator: "; "))
            }
        }
    }

    private func boot(_ scratch: StateDirectory) throws -> EmbeddedManager {
        let manager = try EmbeddedManager(directory: scratch, unlockKey: unlockKey, logger: logger)
        if manager.isLocked { throw KeyMaterialError.locked(file: scratch.nodeKey.path) }
        return manager
    }

    /// Creates a service and removes it again (two entries, with the orchestrator's task and
    /// the allocator's work), restarts, and expects the store exactly as it was before the
    /// restart, the log two entries (and the new leader's empty one) longer. (Not as before
    /// the probe: the allocator's pools and the removed service's task stay, as in swarmkit.)
    private func writeProbe(_ manager: EmbeddedManager, scratch: StateDirectory) throws -> (CheckReport.Item, EmbeddedManager) {
        let before = try manager.view()
        var generator = SystemRandomNumberGenerator()
        var service = SwarmService()
        service.id = SwarmID.random(using: &generator)
        service.spec.annotations.name = "swarmsafe-check-\(service.id.prefix(8))"
        service.spec.task.container.image = "swarmsafe/check-probe"
        var mode = SwarmReplicatedService()
        mode.replicas = 1
        service.spec.replicated = mode
        try manager.update { try $0.create(.service(service)) }
        let created = try manager.view()
        let tasks = try created.store.decodedObjects(.task).filter {
            if case .task(let task) = $0 { return task.serviceID == service.id }
            return false
        }
        try manager.update { try $0.remove(.service, id: service.id) }
        let written = try manager.view()
        try manager.close()

        let restarted = try boot(scratch)
        let after = try restarted.view()
        var problems: [String] = []
        if !created.store.contains(.service, id: service.id) { problems.append("the probe service was not created") }
        if tasks.count != 1 { problems.append("the orchestrator made \(tasks.count) tasks for 1 replica") }
        if after.store.contains(.service, id: service.id) { problems.append("the probe service is back after the restart") }
        if after.commitIndex != before.commitIndex + 3 {
            problems.append("commit index \(after.commitIndex) after the restart, expected \(before.commitIndex + 3)")
        }
        for kind in ObjectKind.allCases {
            let was = written.store.objects(kind).map(\.bytes)
            let now = after.store.objects(kind).map(\.bytes)
            if was != now { problems.append("\(kind.plural) differ after the restart") }
        }
        let item = CheckReport.Item(
            name: "write probe", ok: problems.isEmpty,
            detail: problems.isEmpty
                ? "created and removed service \(service.spec.annotations.name) (entries \(before.commitIndex + 1)–\(before.commitIndex + 2)), restarted, read back"
                : problems.joined(separator: "; "))
        return (item, restarted)
    }
}
