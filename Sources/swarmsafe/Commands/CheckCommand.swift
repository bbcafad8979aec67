import ArgumentParser
import Foundation
import Logging
import SwarmBackup
import SwarmCheck
import SwarmFormats
import SwarmConventions
import SwarmManager

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Prove that a state directory or a backup boots: the embedded manager runs it on a scratch copy.",
        discussion: """
            Copies the state directory (or unpacks the archive) into a private scratch \
            folder — the source is never changed —, recovers the copy to a one-manager \
            cluster when it still has other voting managers (as a restore would), boots it \
            with the embedded manager and checks:

              references        services → secrets, configs, networks (tasks of removed
                                services or nodes are counted as information: swarmkit
                                cleans them up at start)
              leader            one member, and it is the leader
              member addresses  every member has a usable ip:port
              own address       this manager's raft address, the one Docker will show, is
                                --advertise-addr's and docker-state.json's
              node certificate  valid now and chained to the root CA (else: swarmsafe certs renew)
              root CA           swarm-root-ca.crt is the cluster object's root CA
              unlock            autolock setting and node key agree
              write probe       a service created and removed as log entries, restart, read back

            Example: swarmsafe check /backups/swarm-…tar.zst.age -i backup.agekey --unlock-key-file unlock.key

            Exit codes: 0 every check passed, 3 archive or node key cannot be opened, 4 a \
            check failed or the data is damaged, 5 not found.
            """
    )

    @Argument(help: ArgumentHelp(
        "A backup archive (a file or s3://BUCKET/KEY) or a state directory (default: --state-dir).", valueName: "archive|dir"))
    var source: String?

    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var decryption: DecryptionOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @OptionGroup(title: "S3") var s3: S3Options

    @Option(help: ArgumentHelp("Where to put the scratch copy (default: the system temporary folder).", valueName: "dir"))
    var workDir: String?

    @Option(help: ArgumentHelp(
        "The address this manager must have, IP:PORT (after a move): fails when the raft membership, where swarmkit takes it from, or docker-state.json says otherwise.",
        valueName: "ip:port"))
    var advertiseAddr: String?

    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        let expected = try advertiseAddr.map { text in
            do {
                return try AdvertiseAddress(parsing: text).hostPort
            } catch {
                throw ValidationError("--advertise-addr: \(error)")
            }
        }
        var check = ManagerCheck(
            source: source ?? state.directory.path, archiveKey: try decryption.key(), unlockKey: try unlock.resolve(),
            workParent: workDir, expectedAddress: expected, logger: Log.logger)
        check.s3 = try s3.settings(for: source)
        let report = try check.run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        Log.information(report.information)
        if !report.passed { throw ExitCode(ExitStatus.corrupt.rawValue) }
    }
}

extension CheckReport {
    var text: String {
        var lines = ["\(source): \(passed ? "boots" : "DOES NOT PASS") (embedded manager, commit \(commitIndex), booted in \(String(format: "%.2f", bootSeconds)) s)"]
        if recoveredOnCopy > 0 {
            lines.append("  the copy had \(recoveredOnCopy) other voting manager(s) and was recovered to a one-manager cluster first")
        }
        for item in items {
            lines.append("  \(item.ok ? "ok  " : "FAIL") \(item.name.padding(toLength: 17, withPad: " ", startingAt: 0)) \(item.detail)")
        }
        let counts = ["services", "tasks", "secrets", "configs", "networks", "nodes"].map { "\(objects[$0] ?? 0) \($0)" }
        lines.append("  objects: " + counts.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}

/// A restored or verified state that does not boot in the embedded manager (exit 4).
struct CheckFailure: Error, CustomStringConvertible {
    let subject: String
    let report: CheckReport
    /// How to go on anyway, when the command has a way (restore: --no-check).
    var override: String?

    var description: String {
        "\(subject): does not pass check: "
            + report.failures.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")
            + (override.map { "; \($0)" } ?? "")
    }
}

/// `check` as a step of another command (`restore`, `verify --deep`): nil when the state is
/// autolocked and no unlock key was given, since nothing past the structure can be booted then.
func bootCheck(
    _ source: String, archiveKey: AgeDecryptionKey? = nil, unlockKey: UnlockKey?, workParent: String?,
    expectedAddress: String? = nil, logger: Logger, s3: S3Settings? = nil
) throws -> CheckReport? {
    do {
        var check = ManagerCheck(
            source: source, archiveKey: archiveKey, unlockKey: unlockKey, workParent: workParent,
            expectedAddress: expectedAddress, logger: logger)
        check.s3 = s3
        return try check.run()
    } catch KeyMaterialError.locked where unlockKey == nil {
        logger.warning("autolocked and no unlock key: the state was not booted in the embedded manager")
        return nil
    }
}
