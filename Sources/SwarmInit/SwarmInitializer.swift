import Foundation
import SwarmFormats
import SwarmProto

/// Writes a plan as a manager's state directory, laid out and moded as swarmkit leaves it:
///
/// ```
/// state.json 0600, docker-state.json 0600 (Docker's own file), certificates/ 0755
/// (swarm-node.crt 0644, swarm-node.key 0600, swarm-root-ca.crt 0644), raft/ 0700 (wal-v3-encrypted/ 0700 with its segment 0600,
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

    /// Refuses a target that exists and is not an empty directory, or whose parent is missing,
    /// before any key is made.
    public static func checkTarget(_ directory: StateDirectory) throws {
        _ = try StagedDirectory.check(target: directory.path)
    }

    public func write(to directory: StateDirectory) throws {
        let staged = try StagedDirectory(target: directory.path)
        do {
            try populate(StateDirectory(path: staged.path))
            try staged.commit()
        } catch {
            staged.abandon()
            throw error
        }
    }

    private func populate(_ directory: StateDirectory) throws {
        try FileSync.writeNewFile(directory.stateFile.path, plan.stateJSON, mode: Self.secretFileMode)
        try FileSync.writeNewFile(directory.dockerStateFile.path, try plan.dockerStartConfig.encoded(), mode: Self.secretFileMode)

        try FileSync.makeDirectory(directory.certificatesDirectory.path, mode: Self.publicDirectoryMode)
        try FileSync.writeNewFile(directory.rootCACertificate.path, Data(plan.rootCertificateFile.utf8), mode: Self.publicFileMode)
        try FileSync.writeNewFile(directory.nodeCertificate.path, Data(plan.nodeCertificateFile.utf8), mode: Self.publicFileMode)
        try FileSync.writeNewFile(directory.nodeKey.path, Data(try plan.nodeKeyFile().utf8), mode: Self.secretFileMode)
        try FileSync.syncDirectory(directory.certificatesDirectory.path)

        try FileSync.makeDirectory(directory.raftDirectory.path, mode: Self.directoryMode)
        try FileSync.makeDirectory(directory.snapshotDirectory(.encrypted).path, mode: Self.directoryMode)
        try writeRaftLog(into: directory.walDirectory(.encrypted))
        try FileSync.syncDirectory(directory.raftDirectory.path)

        // swarmkit creates this for the agent's task database on every start anyway; having
        // it keeps the layout identical apart from the database file itself.
        try FileSync.makeDirectory(directory.root.appendingPathComponent("worker").path, mode: Self.publicDirectoryMode)
    }

    /// One `save` per entry, each with the hard state a lone manager saves alongside it, so the
    /// record sequence is the one swarmkit writes: crc, metadata, snapshot{0,0}, then entry,
    /// state, entry, state, …
    private func writeRaftLog(into walDirectory: URL) throws {
        let stored = try plan.storedEntries()
        do {
            var writer = try WALWriter.create(directory: walDirectory, metadata: plan.walMetadata)
            for (entry, planned) in zip(stored, plan.entries) {
                try writer.save(hardState: planned.hardState, entries: [entry])
            }
            try writer.close()
        } catch {
            throw InitError.raftLog("\(error)")
        }
    }
}
