import ArgumentParser
import Foundation
import SwarmBackup
import SwarmCheck
import SwarmFormats
import SwarmManager
import SwarmRecovery

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

            --at-index N restores the archived manager as it was right after log entry N \
            (--before-index N: right before it), e.g. to undo a `docker service rm web` that \
            `swarmsafe history ARCHIVE --name web` shows at 4213: \
            `swarmsafe restore ARCHIVE --state-dir D --before-index 4213`. N can go back to \
            the archived snapshot's index, no further (exit 2 with the possible range).

            Missing folders above the directory are created (0755, as `mkdir -p`; the \
            directory itself is 0700), and removed again when the restore fails.

            Before the swap the staged state is booted in the embedded manager, as `swarmsafe \
            check` does; a state that does not pass is not put in place (exit 4) unless \
            --no-check is given. Tasks of removed services or nodes do not fail it: swarmkit \
            cleans them up at start; they are counted in "information:" lines.

            With --json, a refused or failed restore prints {"ok": false, "error": …, \
            "exit_code": N} on standard output, besides the error line on standard error.

            Exit codes: 0 restored, 1 failure (e.g. target not empty), 3 identity or unlock \
            key missing or wrong, 4 the archive does not verify or the state does not pass \
            check, 5 no such archive, 6 the directory is in use.
            """
    )

    @Argument(help: ArgumentHelp("The backup archive: a file, or s3://BUCKET/KEY (streamed, never copied to disk).", valueName: "archive"))
    var archive: String

    @Option(help: ArgumentHelp("The state directory to restore into.", valueName: "dir"))
    var stateDir: String

    @OptionGroup var decryption: DecryptionOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @OptionGroup var recoveryOptions: RecoveryOptions
    @OptionGroup(title: "S3") var s3: S3Options

    @Flag(help: "Replace a non-empty state directory (it is moved aside, not deleted).") var force = false
    @Flag(help: ArgumentHelp(
        "Also make the restored manager the only member of a new cluster (as `recover --force-new-cluster`), before it is put in place.",
        discussion: "The migration path: restore one manager's backup on a new host and start it alone."))
    var forceNewCluster = false
    @Option(help: ArgumentHelp("Restore the state as it was right after this log index (see history).", valueName: "index"))
    var atIndex: UInt64?
    @Option(help: ArgumentHelp("Restore the state as it was right before this log index.", valueName: "index"))
    var beforeIndex: UInt64?
    @Flag(help: "Put the state in place without first booting it in the embedded manager (swarmsafe check).")
    var noCheck = false
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(name: [.short, .long], help: "No progress bar and no log lines except errors.") var quiet = false

    func run() throws {
        try JSONFailure.reporting(json: json) { try restore() }
    }

    private func restore() throws {
        let logger = Log.make(quiet: quiet)
        let bar = ProgressBar(quiet: quiet || json)
        let unlockKey = try unlock.resolve()
        var restorer = BackupRestorer(
            archive: archive, target: stateDir, key: try decryption.key(), unlockKey: unlockKey, force: force,
            logger: logger, progress: bar.handler)
        restorer.s3 = try s3.settings(for: archive)
        var recovery: ForceNewClusterPlan?
        var rewound: RewindPlan?
        let rewindIndex = try rewindIndex()
        let rescueOptions = try recoveryOptions.resolve()
        if recoveryOptions.isRequested && !forceNewCluster {
            throw ValidationError("--advertise-addr, --listen-addr and --remove-lost-managers go with --force-new-cluster.")
        }
        var check: CheckReport?
        let workParent = (URL(fileURLWithPath: stateDir).standardizedFileURL.path as NSString).deletingLastPathComponent
        restorer.prepare = { [archive, noCheck] staged in
            // Rewind first: the rescue then works from the rewound log.
            if let rewindIndex { rewound = try Rewind.applyInPlace(to: staged, index: rewindIndex, unlockKey: unlockKey, source: archive) }
            if forceNewCluster { recovery = try ForceNewCluster.applyInPlace(to: staged, unlockKey: unlockKey, options: rescueOptions) }
            // The last gate before the swap: the state must boot, or nothing is replaced.
            guard !noCheck else { return }
            check = try bootCheck(
                staged.path, unlockKey: unlockKey, workParent: workParent, expectedAddress: recovery?.addressChange?.to,
                logger: logger)
            if let check, !check.passed {
                throw CheckFailure(subject: archive, report: check, override: "nothing was restored; pass --no-check to restore it anyway")
            }
        }
        let result = try restorer.restore()
        bar.finish()
        if result.report.locked {
            logger.warning("restored without the unlock key: only the log's structure was checked")
        }
        if !quiet, let check { Log.information(check.information) }
        if json {
            var summary = RestoreSummary(result, recovery: try recovery.map {
                try RecoverReport(stateDir: result.target, plan: $0, dryRun: false, previousMovedTo: nil)
            })
            summary.check = check
            summary.rewind = rewound.map {
                RewindReport(stateDir: result.target, plan: $0, dryRun: false, previousMovedTo: nil, recovery: nil)
            }
            print(try summary.json())
        } else if !quiet {
            print("restored \(archive) into \(result.target) (raft index \(result.report.raftLastIndex ?? 0))")
            if let aside = result.previousMovedTo { print("the previous state directory was moved to \(aside)") }
            if check != nil {
                print("booted in the embedded manager before it was put in place: every check passed")
            }
            if let rewound { print("rewound to the state right after index \(rewound.index): \(rewound.droppedEntries) later entries left out") }
            if let recovery, !recovery.isNoOp {
                let removed = recovery.removed.map { raftIDString($0.raftID) }.joined(separator: ", ")
                let others = recovery.removed.isEmpty ? "it was the only manager" : "removed \(recovery.removed.count) other managers (\(removed))"
                print("made it a one-manager cluster: \(others), commit \(recovery.newHardState.commit)")
                if let change = recovery.addressChange {
                    let how = recovery.rebuildsSnapshot ? "a new snapshot at the commit carries it" : "node object and files"
                    print("moved this manager \(change.from ?? "(none)") → \(change.to) (\(how); state.json and docker-state.json follow)")
                }
            }
        }
    }
}

/// `restore --json`. Field names are a contract. (A refused restore prints `JSONFailure`.)
struct RestoreSummary: ReportJSON {
    let stateDir: String
    let previousMovedTo: String?
    let verification: VerifyReport
    /// With --force-new-cluster: what the recovery changed.
    let forceNewCluster: RecoverReport?
    /// With --at-index/--before-index: what the rewind left out.
    var rewind: RewindReport?
    /// The boot check of the staged state (nil with --no-check, or locked without a key).
    var check: CheckReport?

    init(_ result: RestoreResult, recovery: RecoverReport?) {
        stateDir = result.target
        previousMovedTo = result.previousMovedTo
        verification = result.report
        forceNewCluster = recovery
    }

    enum CodingKeys: String, CodingKey {
        case verification
        case forceNewCluster = "force_new_cluster"
        case ok, rewind, check
        case stateDir = "state_dir"
        case previousMovedTo = "previous_moved_to"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(true, forKey: .ok)
        try c.encode(stateDir, forKey: .stateDir)
        try c.encode(previousMovedTo, forKey: .previousMovedTo)
        try c.encode(verification, forKey: .verification)
        try c.encode(forceNewCluster, forKey: .forceNewCluster)
        try c.encodeIfPresent(rewind, forKey: .rewind)
        try c.encodeIfPresent(check, forKey: .check)
    }
}
