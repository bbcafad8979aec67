import ArgumentParser
import Foundation
import SwarmBackup

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the backups in a repository, oldest first.",
        discussion: """
            Reads file names and sizes only (the archives may be encrypted to keys this host \
            does not hold). Use `verify` to check an archive's contents.
            """
    )

    @Option(help: ArgumentHelp("The backup repository: a folder, or s3://BUCKET[/PREFIX].", valueName: "dir|s3-url"))
    var repo: String

    @OptionGroup(title: "S3") var s3: S3Options

    @Flag(help: "Print one JSON document with every backup.") var json = false

    func run() throws {
        let backups = try Repositories.open(repo, s3: try s3.settings(for: repo)).backups()
        if json {
            print(try BackupListReport(repository: repo, backups: backups).json())
            return
        }
        guard !backups.isEmpty else {
            print("no backups in \(repo)")
            return
        }
        for backup in backups {
            let name = backup.name
            let time = ISO8601DateFormatter().string(from: name.time)
            print("\(time)  \(name.clusterID)  \(name.nodeID)  \(ProgressBar.size(backup.size).padding(toLength: 10, withPad: " ", startingAt: 0))  \(name.fileName)")
        }
    }
}

/// `list --json`. Field names are a contract.
struct BackupListReport: ReportJSON {
    struct Entry: Encodable {
        let file: String
        let path: String
        let clusterID: String
        let nodeID: String
        let time: String
        let bytes: Int64
        let compression: String
        let encrypted: Bool

        enum CodingKeys: String, CodingKey {
            case file, path, time, bytes, compression, encrypted
            case clusterID = "cluster_id"
            case nodeID = "node_id"
        }
    }

    let repository: String
    let backups: [Entry]

    init(repository: String, backups: [BackupListing]) {
        self.repository = repository
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        self.backups = backups.map {
            Entry(
                file: $0.name.fileName, path: $0.path, clusterID: $0.name.clusterID, nodeID: $0.name.nodeID,
                time: formatter.string(from: $0.name.time), bytes: $0.size, compression: $0.name.compression,
                encrypted: $0.name.encrypted)
        }
    }
}
