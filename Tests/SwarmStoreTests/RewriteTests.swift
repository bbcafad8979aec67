import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore
import SwarmTestSupport
import Testing

/// Rewriting every real manager folder into a new one, and reading it back.
@Suite struct RewriteTests {
    static let managers: [(String, String)] = Fixtures.readManagers + [
        ("after-force-new-cluster", "manager-2"), ("fresh-init", "manager-1"), ("fresh-init-autolock", "manager-1"),
    ]

    struct Loaded {
        let directory: StateDirectory
        let log: RaftLog
        let state: ClusterState
        let fips: Bool
        let cipher: RaftCipher
    }

    static func load(_ directory: StateDirectory, scenario: String) throws -> Loaded {
        let unlockKey = try Fixtures.unlockKey(scenario).map { try UnlockKey(text: $0) }
        let keys = try NodeKeys.load(keyFile: directory.nodeKey, unlockKey: unlockKey)
        let encrypted = directory.raftLayout?.isEncrypted ?? true
        let log = try RaftLogLoader.load(directory, decrypter: encrypted ? keys.raftDecrypter : PlaintextPayloads())
        let local = try log.wal.metadata.map { try SwarmRaftMember(serializedBytes: $0) }
        let certificates = try SwarmCertificates.load(nodeCertificate: directory.nodeCertificate, rootCA: directory.rootCACertificate)
        // The node certificate's O is the cluster ID; FIPS clusters' start with "FIPS.".
        let fips = certificates.node.clusterID.hasPrefix("FIPS.")
        let cipher = try #require(keys.raftCipher(fips: fips))
        return Loaded(directory: directory, log: log, state: try Replayer.replay(log, localMember: local), fips: fips, cipher: cipher)
    }

    static func newTarget() -> StateDirectory {
        StateDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-rewrite-\(UUID().uuidString)").path)
    }

    /// Size, mode and modification time of every file under a folder: any write changes it.
    static func fingerprint(_ root: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        let paths = try FileManager.default.subpathsOfDirectory(atPath: root.path)
        for path in paths {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)
            out[path] = "\(attributes[.size] ?? "") \(attributes[.posixPermissions] ?? "") \(attributes[.modificationDate] ?? "")"
        }
        return out
    }

    static func mode(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? -1
    }

    enum OutputKind: String, CaseIterable { case encrypted, plaintext }

    static let cases: [(String, String, StateRewriter.Mode, OutputKind)] = managers.flatMap { scenario, node in
        StateRewriter.Mode.allCases.flatMap { mode in OutputKind.allCases.map { (scenario, node, mode, $0) } }
    }

    @Test("rewrite → read again gives the same objects, membership and log", arguments: cases)
    func rewriteReadsBackIdentically(scenario: String, node: String, mode: StateRewriter.Mode, kind: OutputKind) throws {
        let sourceFolder = Fixtures.folder(scenario, node)
        let before = try Self.fingerprint(sourceFolder)
        let original = try Self.load(StateDirectory(path: sourceFolder.path), scenario: scenario)
        let target = Self.newTarget()
        defer { try? FileManager.default.removeItem(atPath: target.path) }
        let output: StateRewriter.Output = kind == .encrypted ? .encrypted(original.cipher) : .plaintext
        let summary = try StateRewriter(source: original.directory, log: original.log, cluster: original.state)
            .write(to: target, mode: mode, output: output)
        #expect(try Self.fingerprint(sourceFolder) == before, "the source is never modified")

        #expect(target.raftLayout == output.layout)
        let copy = try Self.load(target, scenario: scenario)
        // Objects: same IDs, same stored bytes.
        for kind in ObjectKind.allCases {
            let want = original.state.store.objects(kind).map { "\($0.id) \($0.bytes.base64EncodedString())" }
            let got = copy.state.store.objects(kind).map { "\($0.id) \($0.bytes.base64EncodedString())" }
            #expect(got == want, "\(kind.plural)")
        }
        let members = { (m: RaftMembership) in m.members.map { "\($0.raftID) \($0.nodeID) \($0.addr)" } }
        #expect(members(copy.state.membership) == members(original.state.membership))
        #expect(copy.state.membership.removed == original.state.membership.removed)
        #expect(copy.state.voters.sorted() == original.state.voters.sorted())
        #expect(copy.log.wal.metadata == original.log.wal.metadata)
        #expect(copy.log.wal.tornTail == nil)
        #expect(copy.log.skippedSnapshots.isEmpty)

        switch mode {
        case .preserve:
            #expect(copy.log.hardState == original.log.hardState)
            #expect(copy.log.snapshotIndex == original.log.snapshotIndex)
            #expect(copy.log.snapshotTerm == original.log.snapshotTerm)
            #expect(copy.log.snapshotPayload == original.log.snapshotPayload)
            var want: [(UInt64, UInt64, RaftEntryType, Data, Data)] = []
            try original.log.forEachEntry { want.append(($0.index, $0.term, $0.type, $0.payload, $0.storedData)) }
            var got: [(UInt64, UInt64, RaftEntryType, Data, Data)] = []
            try copy.log.forEachEntry { got.append(($0.index, $0.term, $0.type, $0.payload, $0.storedData)) }
            #expect(got.count == want.count)
            for (a, b) in zip(got, want) {
                #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2 && a.3 == b.3, "entry \(b.0)")
                if kind == .encrypted {
                    #expect(a.4 == b.4, "entry \(b.0) is written back byte for byte")
                }
            }
            if kind == .encrypted, let snapshot = original.log.snapshot, let written = copy.log.snapshot {
                #expect(try Data(contentsOf: URL(fileURLWithPath: written.path)) == Data(contentsOf: URL(fileURLWithPath: snapshot.path)))
            }
            #expect(summary.entries == want.count)
        case .compact:
            #expect(copy.log.entries.isEmpty)
            #expect(copy.log.snapshotIndex == original.log.lastIndex)
            #expect(copy.log.snapshotTerm == original.log.lastTerm)
            #expect(copy.log.hardState.commit == original.log.lastIndex)
            #expect(copy.log.hardState.term == max(original.log.hardState.term, original.log.lastTerm))
            #expect(copy.log.hardState.vote == original.log.hardState.vote)
            let snapshot = try #require(copy.log.snapshot)
            #expect(snapshot.snapshot.metadata.confState.voters == original.state.voters.sorted())
            if kind == .encrypted {
                let record = try SwarmMaybeEncryptedRecord(serializedBytes: snapshot.snapshot.data)
                #expect(record.encryptionAlgorithm == (original.fips ? .fernet : .secretbox), "the cluster's algorithm")
            }
        }

        // The node's own files come over unchanged; raft folders and files get swarmkit's modes.
        for file in ["state.json", "certificates/swarm-node.crt", "certificates/swarm-node.key", "certificates/swarm-root-ca.crt"] {
            let from = sourceFolder.appendingPathComponent(file)
            let to = target.root.appendingPathComponent(file)
            #expect(try Data(contentsOf: to) == Data(contentsOf: from), "\(file)")
            #expect(try Self.mode(to) == Self.mode(from), "\(file) mode")
        }
        #expect(try Self.mode(target.nodeKey) == 0o600)
        #expect(try Self.mode(target.root) == 0o700)
        for directory in [target.raftDirectory, target.walDirectory(output.layout), target.snapshotDirectory(output.layout)] {
            #expect(try Self.mode(directory) == 0o700, "\(directory.path)")
        }
        if let written = copy.log.snapshot {
            #expect(try Self.mode(URL(fileURLWithPath: written.path)) == 0o644)
        }
        let parent = target.root.deletingLastPathComponent()
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: parent.path)
            .filter { $0.hasPrefix("." + target.root.lastPathComponent) }
        #expect(leftovers.isEmpty, "no staging folder is left behind")
    }

    @Test("a rebuilt snapshot payload is byte for byte the one swarmkit wrote", arguments: [
        ("ha-3mgr-snapshot", "manager-1"), ("ha-3mgr-snapshot", "manager-2"), ("ha-3mgr-snapshot", "manager-3"),
        ("autolock-3mgr", "manager-1"), ("autolock-3mgr", "manager-2"), ("autolock-3mgr", "manager-3"),
        ("after-force-new-cluster", "manager-2"),
    ])
    func snapshotPayloadIsSwarmkits(scenario: String, node: String) throws {
        let loaded = try Self.load(StateDirectory(path: Fixtures.folder(scenario, node).path), scenario: scenario)
        let contents = try #require(try Replayer.snapshotContents(loaded.log))
        let rebuilt = try SnapshotPayload.make(store: contents.store, membership: contents.membership)
        #expect(rebuilt == loaded.log.snapshotPayload)
    }

    @Test func refusesTargetsThatHoldAnythingOrLieInTheSource() throws {
        let loaded = try Self.load(StateDirectory(path: Fixtures.folder("single-manager", "manager-1").path), scenario: "single-manager")
        let rewriter = StateRewriter(source: loaded.directory, log: loaded.log, cluster: loaded.state)
        let target = Self.newTarget()
        defer { try? FileManager.default.removeItem(atPath: target.path) }
        try FileManager.default.createDirectory(atPath: target.path, withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: target.root.appendingPathComponent("keep"))
        #expect(throws: StagingError.targetNotEmpty(path: target.path)) {
            try rewriter.write(to: target, mode: .compact, output: .plaintext)
        }
        #expect(try Data(contentsOf: target.root.appendingPathComponent("keep")) == Data("mine".utf8))
        let inside = StateDirectory(path: loaded.directory.root.appendingPathComponent("copy").path)
        #expect(throws: RewriteError.targetInsideSource(path: inside.path)) {
            try rewriter.write(to: inside, mode: .compact, output: .plaintext)
        }
        // An empty directory is taken over, as `docker swarm init` would.
        try FileManager.default.removeItem(at: target.root.appendingPathComponent("keep"))
        let summary = try rewriter.write(to: target, mode: .compact, output: .encrypted(loaded.cipher))
        #expect(summary.snapshotIndex == loaded.log.lastIndex)
        #expect(target.raftLayout == .encrypted)
    }
}
