import Foundation
import SwarmFormats
import SwarmProto

/// Writes a plan as a manager's state directory, laid out and moded as swarmkit leaves it:
///
/// ```
/// state.json 0600, certificates/ 0755 (swarm-node.crt 0644, swarm-node.key 0600,
/// swarm-root-ca.crt 0644), raft/ 0700 (wal-v3-encrypted/ 0700 with its segment 0600,
/// snap-v3-encrypted/ 0700, empty), worker/ 0755
/// ```
///
/// The folder is built under a hidden sibling name and renamed into place only when
/// complete, so the target is either absent (or the empty directory it was) or a whole state
/// directory. An existing non-empty target is refused before anything is written.
public struct SwarmInitializer: Sendable {
    public let plan: SwarmInitPlan

    public init(plan: SwarmInitPlan) {
        self.plan = plan
    }

    static let directoryMode: mode_t = 0o700
    static let publicDirectoryMode: mode_t = 0o755
    static let secretFileMode: mode_t = 0o600
    static let publicFileMode: mode_t = 0o644

    /// Refuses a target that exists and is not an empty directory, or whose parent is missing.
    public static func checkTarget(_ directory: StateDirectory) throws(InitError) {
        switch try InitFileSystem.inspect(directory.path) {
        case .missing, .emptyDirectory: break
        case .nonEmptyDirectory: throw .targetNotEmpty(path: directory.path)
        case .notADirectory: throw .targetNotADirectory(path: directory.path)
        }
        let parent = directory.root.deletingLastPathComponent().path
        guard try InitFileSystem.inspect(parent) != .missing else { throw .parentMissing(path: parent) }
    }

    public func write(to directory: StateDirectory) throws(InitError) {
        try Self.checkTarget(directory)
        let parent = directory.root.deletingLastPathComponent()
        let staging = StateDirectory(path: parent.appendingPathComponent(
            ".\(directory.root.lastPathComponent).swarmsafe-init-\(UUID().uuidString.prefix(8))").path)
        try InitFileSystem.makeDirectory(staging.path, mode: Self.directoryMode)
        do {
            try populate(staging)
            try InitFileSystem.syncDirectory(staging.path)
            try InitFileSystem.rename(staging.path, to: directory.path)
        } catch {
            InitFileSystem.removeStaging(staging.path)
            throw error
        }
        try InitFileSystem.syncDirectory(parent.path)
    }

    private func populate(_ directory: StateDirectory) throws(InitError) {
        try InitFileSystem.writeFile(directory.stateFile.path, plan.stateJSON, mode: Self.secretFileMode)

        try InitFileSystem.makeDirectory(directory.certificatesDirectory.path, mode: Self.publicDirectoryMode)
        try InitFileSystem.writeFile(directory.rootCACertificate.path, Data(plan.rootCertificateFile.utf8), mode: Self.publicFileMode)
        try InitFileSystem.writeFile(directory.nodeCertificate.path, Data(plan.nodeCertificateFile.utf8), mode: Self.publicFileMode)
        try InitFileSystem.writeFile(directory.nodeKey.path, Data(try plan.nodeKeyFile().utf8), mode: Self.secretFileMode)
        try InitFileSystem.syncDirectory(directory.certificatesDirectory.path)

        try InitFileSystem.makeDirectory(directory.raftDirectory.path, mode: Self.directoryMode)
        try InitFileSystem.makeDirectory(directory.snapshotDirectory(.encrypted).path, mode: Self.directoryMode)
        try writeRaftLog(into: directory.walDirectory(.encrypted))
        try InitFileSystem.syncDirectory(directory.raftDirectory.path)

        // swarmkit creates this for the agent's task database on every start anyway; having
        // it keeps the layout identical apart from the database file itself.
        try InitFileSystem.makeDirectory(directory.root.appendingPathComponent("worker").path, mode: Self.publicDirectoryMode)
    }

    /// One `save` per entry, each with the hard state a lone manager saves alongside it, so the
    /// record sequence is the one swarmkit writes: crc, metadata, snapshot{0,0}, then entry,
    /// state, entry, state, …
    private func writeRaftLog(into walDirectory: URL) throws(InitError) {
        let stored = try plan.storedEntries()
        do {
            var writer = try WALWriter.create(directory: walDirectory, metadata: plan.walMetadata)
            for (entry, planned) in zip(stored, plan.entries) {
                try writer.save(hardState: planned.hardState, entries: [entry])
            }
            try writer.close()
        } catch {
            throw .raftLog("\(error)")
        }
    }
}
