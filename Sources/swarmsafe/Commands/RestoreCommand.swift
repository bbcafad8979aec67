import ArgumentParser
import Foundation
import SwarmBackup
import SwarmSafeKit

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup archive into a state directory, keeping what was there.",
        discussion: """
            Refuses while a Docker daemon (its WAL lock) or another swarmsafe process holds \
            the directory, and refuses a non-empty directory unless --force is given. The \
            archive is verified in full first, unpacked into a hidden sibling folder and \
            synced; then the folders are swapped in one atomic step. The previous folder is \
            renamed <dir>.swarmsafe-old-<UTC time> and never deleted. Killed at any point, \
            the directory holds either the old state or the complete new one.

            Exit codes: 0 restored, 1 failure (e.g. target not empty), 3 identity or unlock \
            key missing or wrong, 4 the archive does not verify, 5 no such archive, \
            6 the directory is in use.
            """
    )

    @Argument(help: ArgumentHelp("The backup archive.", valueName: "archive"))
    var archive: String

    @Option(help: ArgumentHelp("The state directory to restore into.", valueName: "dir"))
    var stateDir: String

    @OptionGroup var decryption: DecryptionOptions
    @OptionGroup var unlock: UnlockKeyOptions

    @Flag(help: "Replace a non-empty state directory (it is moved aside, not deleted).") var force = false
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(name: [.short, .long], help: "No progress bar and no log lines except errors.") var quiet = false

    func run() throws {
        let logger = Log.make(quiet: quiet)
        let bar = ProgressBar(quiet: quiet || json)
        let result = try BackupRestorer(
            archive: archive, target: stateDir, key: try decryption.key(), unlockKey: try unlock.resolve(), force: force,
            logger: logger, progress: bar.handler
        ).restore()
        bar.finish()
        if result.report.locked {
            logger.warning("restored without the unlock key: only the log's structure was checked")
        }
        if json {
            print(try RestoreSummary(result).json())
        } else if !quiet {
            print("restored \(archive) into \(result.target) (raft index \(result.report.raftLastIndex ?? 0))")
            if let aside = result.previousMovedTo { print("the previous state directory was moved to \(aside)") }
        }
    }
}

/// `restore --json`. Field names are a contract.
struct RestoreSummary: ReportJSON {
    let stateDir: String
    let previousMovedTo: String?
    let verification: VerifyReport

    init(_ result: RestoreResult) {
        stateDir = result.target
        previousMovedTo = result.previousMovedTo
        verification = result.report
    }

    enum CodingKeys: String, CodingKey {
        case verification
        case stateDir = "state_dir"
        case previousMovedTo = "previous_moved_to"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stateDir, forKey: .stateDir)
        try c.encode(previousMovedTo, forKey: .previousMovedTo)
        try c.encode(verification, forKey: .verification)
    }
}
