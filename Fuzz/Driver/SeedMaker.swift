#if !FUZZING
import Foundation
import SwarmArchive
import SwarmBackup
import SwarmFormats
import SwarmFuzzTargets

/// Writes the seed corpus `Fuzz/Seeds/<target>/` from the unpacked fixtures (real swarmkit
/// state directories) and from our own writers (backups, age files). Every seed must be
/// accepted by its target: a seed the decoder refuses would start the fuzzer outside it.
/// Engine API bodies are not made here: they are the docker CLI's own, kept as files.
struct SeedMaker {
    let fixtures: URL
    let output: URL

    static let managers = [
        ("single-manager", "manager-1"), ("ha-3mgr-snapshot", "manager-1"), ("autolock-3mgr", "manager-1"),
        ("fips-1mgr", "manager-1"), ("fresh-init", "manager-1"), ("fresh-init-autolock", "manager-1"),
        ("after-force-new-cluster", "manager-2"),
    ]
    static let workers = [("ha-3mgr-snapshot", "worker-1"), ("autolock-3mgr", "worker-1")]
    /// Short seeds fuzz fastest: WAL prefixes are cut at the last frame boundary before this.
    static let shortWAL = 4096
    static let wholeWAL = 40_000

    func make() throws {
        for (scenario, node) in Self.managers {
            let folder = fixtures.appendingPathComponent(scenario).appendingPathComponent(node)
            let name = "\(scenario)-\(node)"
            try walSeeds(folder.appendingPathComponent("raft/wal-v3-encrypted"), name: name)
            let snapshots = folder.appendingPathComponent("raft/snap-v3-encrypted")
            for snap in (try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? [] where snap.hasSuffix(".snap") {
                try save(.snapshot, "\(name).snap", Data(contentsOf: snapshots.appendingPathComponent(snap)))
            }
        }
        for (scenario, node) in Self.managers + Self.workers {
            let folder = fixtures.appendingPathComponent(scenario).appendingPathComponent(node)
            try save(.nodeKey, "\(scenario)-\(node).key", Data(contentsOf: folder.appendingPathComponent("certificates/swarm-node.key")))
            try save(.stateJSON, "\(scenario)-\(node).json", Data(contentsOf: folder.appendingPathComponent("state.json")))
        }
        try save(.dockerStateJSON, "init.json", DockerStartConfig(initWithAdvertise: "127.0.0.11:2377", ip: "127.0.0.11", listen: "127.0.0.11:2377").encoded())
        try save(.dockerStateJSON, "unknown-keys.json", Data(#"{"LocalAddr":"10.0.0.2","RemoteAddr":"10.0.0.1:2377","ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"10.0.0.2:2377","DataPathAddr":"","DefaultAddressPool":["10.10.0.0/16"],"SubnetSize":24,"DataPathPort":4789,"JoinInProgress":false,"Future":{"a":[1,2.5,null,true]}}"#.utf8))
        try ageSeeds()
        try archiveSeeds()
    }

    private func walSeeds(_ directory: URL, name: String) throws {
        let contents = try WALReader(directory: directory).readAll()
        guard contents.segments.count == 1, let segment = contents.segments.first else { return }
        let bytes = try Data(contentsOf: directory.appendingPathComponent(segment.fileName)).prefix(contents.end.offset)
        // Whole logs only from the small fixtures: libFuzzer mutates short inputs far faster.
        if bytes.count <= Self.wholeWAL {
            try save(.wal, "\(name).wal", bytes)
            // A crash mid-write: the last record cut short is a torn tail, read up to it.
            try save(.wal, "\(name)-torn.wal", bytes.dropLast(5))
        }
        var cut = 0
        try bytes.withUnsafeBytes { raw in
            var decoder = WALFrameDecoder(segments: [.init(name: segment.fileName, bytes: raw)])
            while case .frame(let frame) = try decoder.next(), frame.position.offset + frame.frameSize <= Self.shortWAL {
                cut = frame.position.offset + frame.frameSize
            }
        }
        if cut < bytes.count { try save(.wal, "\(name)-short.wal", bytes.prefix(cut)) }
    }

    private func ageSeeds() throws {
        let recipient = AgeEncryptionTarget.recipients([FuzzKeys.ageIdentity.recipient])
        let passphrase = AgeEncryptionTarget.passphrase(FuzzKeys.agePassphrase, workFactor: FuzzKeys.ageWorkFactor)
        let large = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try save(.age, "recipient-empty.age", Age.encrypt(Data(), to: recipient))
        try save(.age, "recipient-short.age", Age.encrypt(Data("swarmsafe\n".utf8), to: recipient))
        try save(.age, "recipient-two-chunks.age", Age.encrypt(large, to: recipient))
        try save(.age, "passphrase-short.age", Age.encrypt(Data("swarmsafe\n".utf8), to: passphrase))
        try save(.age, "passphrase-one-chunk.age", Age.encrypt(large.prefix(65_536), to: passphrase))
    }

    /// Real backups of two small fixtures, in every compression and encrypted.
    private func archiveSeeds() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-seeds-\(getpid())")
        try? FileManager.default.removeItem(at: work)
        defer { try? FileManager.default.removeItem(at: work) }
        for (scenario, node) in [("fresh-init", "manager-1"), ("single-manager", "manager-1")] {
            let copy = work.appendingPathComponent("\(scenario)/swarm")
            try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(scenario).appendingPathComponent(node), to: copy)
            let cases: [(String, ArchiveCompression, AgeEncryptionTarget?)] = [
                ("zstd", .zstd, nil), ("gzip", .gzip, nil), ("tar", .none, nil),
                ("zstd-age", .zstd, .recipients([FuzzKeys.ageIdentity.recipient])),
            ]
            for (label, compression, encryption) in cases {
                let repository = work.appendingPathComponent("repo-\(scenario)-\(label)").path
                try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
                let request = BackupRequest(
                    stateDirectory: StateDirectory(path: copy.path), repository: repository, encryption: encryption,
                    compression: compression, workDirectory: work.path)
                let result = try BackupRunner(request: request).run()
                try save(.archive, "\(scenario)-\(label).archive", Data(contentsOf: URL(fileURLWithPath: result.archivePath)))
            }
        }
    }

    private func save(_ target: FuzzTarget, _ name: String, _ data: Data) throws {
        let outcome = target.run(data)
        guard outcome.isAccepted else {
            throw SeedError(message: "seed \(target.rawValue)/\(name) is not accepted: \(outcome)")
        }
        let folder = output.appendingPathComponent(target.rawValue)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try data.write(to: folder.appendingPathComponent(name))
        print("\(target.rawValue)/\(name) \(data.count) bytes")
    }
}

struct SeedError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
#endif
