import ArgumentParser
import Foundation
import SwarmBackup

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that a backup archive restores: checksums, manifest, every record decoded.",
        discussion: """
            Decrypts (age) and unpacks the archive into a private temporary folder, checks \
            every file's size and SHA-256 against manifest.json, then reads the archived \
            state as a manager would: the node key opened, the snapshot and every WAL record \
            decrypted and decoded with the archived DEK, the log replayed, and the result \
            compared with the manifest (raft index, term, object counts).

            --deep also checks references in the replayed store (services to their secrets, \
            configs and networks; tasks to their service and node) and boots the archived \
            state in the embedded manager on a scratch copy, as `swarmsafe check` does: one \
            leader, member addresses, certificates and root CA, unlock, and a write probe. \
            (An autolocked archive is only booted with its unlock key.) Tasks of removed \
            services or nodes are no finding: hot backups hold them routinely and swarmkit \
            cleans them up when it starts; they are counted on standard error as \
            "information:" lines (and under "information" in --json).

            Each finding is one line on standard output. Exit codes: 0 good, 3 archive or \
            node key cannot be opened (identity, passphrase or unlock key missing or wrong), \
            4 findings, 5 no such archive.
            """
    )

    @Argument(help: ArgumentHelp("The backup archive: a file, or s3://BUCKET/KEY.", valueName: "archive"))
    var archive: String

    @OptionGroup var decryption: DecryptionOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @OptionGroup(title: "S3") var s3: S3Options

    @Flag(help: "Also replay the store and check references between objects.") var deep = false

    @Option(help: ArgumentHelp("Where to unpack for checking (default: the system temporary folder).", valueName: "dir"))
    var workDir: String?

    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(name: [.short, .long], help: "No progress bar; print only findings.") var quiet = false

    func run() throws {
        let bar = ProgressBar(quiet: quiet || json)
        var report = try BackupVerifier(
            archive: archive, key: try decryption.key(), unlockKey: try unlock.resolve(), deep: deep, workParent: workDir,
            progress: bar.handler, s3: try s3.settings(for: archive)
        ).verify()
        bar.finish()
        let logger = Log.make(quiet: quiet)
        var booted = false
        if deep && report.ok {
            let key = try decryption.key()
            if let check = try bootCheck(archive, archiveKey: key, unlockKey: try unlock.resolve(), workParent: workDir, logger: logger, s3: try s3.settings(for: archive)) {
                booted = check.passed
                report.findings += check.failures.map { "does not boot in the embedded manager: \($0.name): \($0.detail)" }
                report.information += check.information.filter { !report.information.contains($0) }
            }
        }
        for warning in report.warnings { logger.warning("\(warning)") }
        if !quiet { Log.information(report.information) }
        if json {
            print(try report.json())
        } else {
            for finding in report.findings { print(finding) }
            if report.locked {
                print("not fully verified: the archived node key is autolocked; pass --unlock-key-file to decrypt and check every record")
            }
            if report.ok && !quiet {
                print("\(archive): good (\(report.verification.rawValue) check\(report.deepChecked ? ", references checked" : "")\(booted ? ", boots in the embedded manager" : ""); raft index \(report.raftLastIndex ?? 0))")
            }
        }
        if !report.findings.isEmpty { throw ExitCode(ExitStatus.corrupt.rawValue) }
        if report.locked { throw ExitCode(ExitStatus.locked.rawValue) }
    }
}
