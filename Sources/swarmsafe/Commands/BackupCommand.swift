import ArgumentParser
import Foundation
import SwarmArchive
import SwarmBackup
import SwarmFormats

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up a manager's state directory into a repository, while the manager runs.",
        discussion: """
            Takes a consistent copy without stopping Docker: the node key, certificates, \
            state files, the newest complete snapshot and the WAL up to its last complete \
            record (a segment cut, a new snapshot or a key rotation during the copy is \
            detected and the copy retried). The copy is fully decoded and replayed before it \
            is archived.

            The archive is swarm-<cluster>-<node>-<UTC time>.tar.zst (.age when encrypted), \
            written under a hidden temporary name, synced, read back and checked against \
            its manifest, and only then renamed. Two runs never write the same repository at \
            once (the second fails with exit code 6).

            Encrypt with --recipient age1… so the backup host cannot read the swarm's \
            secrets; restore with the matching identity (age-keygen) on the machine that \
            restores. Without encryption, the archive holds the node key and every secret.

            An autolocked swarm needs its unlock key to decode the log; without it only the \
            log's structure is checked, and the manifest says so (verification: structure).

            Exit codes: 0 done, 1 failure, 3 wrong unlock key, 4 damaged state, \
            5 no such state directory, 6 repository locked by another run (or a restore \
            replacing the state directory).
            """
    )

    @OptionGroup var state: StateDirectoryOptions

    @Option(help: ArgumentHelp(
        "The backup repository: a folder (created if missing), or s3://BUCKET[/PREFIX] (the bucket must exist).",
        valueName: "dir|s3-url"))
    var repo: String

    @OptionGroup(title: "S3") var s3: S3Options

    @OptionGroup var encryption: EncryptionOptions

    @Option(help: "How to compress the archive.")
    var compression: ArchiveCompression = .zstd

    @Option(name: .customLong("label"), help: ArgumentHelp("A key=value label recorded in the manifest; repeatable.", valueName: "k=v"))
    var labels: [String] = []

    @Option(help: ArgumentHelp(
        "Write Prometheus metrics here (node_exporter textfile collector), on success and on failure.", valueName: "file"))
    var metricsFile: String?

    @Option(help: ArgumentHelp("Where to put the private working copy (default: beside the state directory).", valueName: "dir"))
    var workDir: String?

    @OptionGroup var unlock: UnlockKeyOptions

    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(name: [.short, .long], help: "No progress bar and no log lines except errors.") var quiet = false

    func validate() throws {
        for label in labels where !label.contains("=") || label.hasPrefix("=") {
            throw ValidationError("--label must be key=value, got '\(label)'")
        }
    }

    func run() throws {
        let started = Date()
        let logger = Log.make(quiet: quiet)
        let bar = ProgressBar(quiet: quiet || json)
        defer { bar.finish() }
        var labelMap: [String: String] = [:]
        for label in labels {
            let parts = label.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            labelMap[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        do {
            let request = BackupRequest(
                stateDirectory: state.directory, repository: repo, unlockKey: try unlock.resolve(),
                encryption: try encryption.target(), compression: compression, labels: labelMap, workDirectory: workDir,
                s3: try s3.settings(for: repo))
            let result = try BackupRunner(request: request, logger: logger, progress: bar.handler).run()
            bar.finish()
            let manifest = result.manifest
            if let metricsFile {
                try PrometheusTextfile.write(
                    BackupMetrics(
                        result: .success, startTime: started, duration: result.duration, archiveBytes: result.archiveBytes,
                        raftIndex: manifest.raft.lastIndex, raftTerm: manifest.raft.term, objectCounts: manifest.objects ?? [:],
                        clusterID: manifest.clusterID, nodeID: manifest.nodeID),
                    to: metricsFile)
            }
            for warning in manifest.warnings { logger.warning("\(warning)") }
            if json {
                print(try BackupSummary(result).json())
            } else if !quiet {
                let objects = manifest.objects.map { counts in
                    counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                } ?? "objects not counted (locked, no unlock key)"
                print("""
                    \(result.archivePath)
                      \(ProgressBar.size(result.archiveBytes)), raft index \(manifest.raft.lastIndex) (term \(manifest.raft.term)), \(objects)
                      verified: \(manifest.verification.rawValue); encrypted: \(manifest.archiveEncrypted ? "yes (age)" : "no"); \
                    \(String(format: "%.2f", result.duration)) s
                    """)
            }
        } catch {
            bar.finish()
            if let metricsFile {
                do {
                    try PrometheusTextfile.write(
                        BackupMetrics(result: .failure, startTime: started, duration: Date().timeIntervalSince(started)),
                        to: metricsFile)
                } catch let metricsError {
                    logger.error("\(metricsError)")
                }
            }
            throw error
        }
    }
}

extension ArchiveCompression: ExpressibleByArgument {}

/// `backup --json`. Field names are a contract.
struct BackupSummary: ReportJSON {
    let archive: String
    let archiveBytes: Int64
    let durationSeconds: Double
    let manifest: BackupManifest

    init(_ result: BackupResult) {
        archive = result.archivePath
        archiveBytes = result.archiveBytes
        durationSeconds = (result.duration * 1000).rounded() / 1000
        manifest = result.manifest
    }

    enum CodingKeys: String, CodingKey {
        case archive, manifest
        case archiveBytes = "archive_bytes"
        case durationSeconds = "duration_seconds"
    }
}
