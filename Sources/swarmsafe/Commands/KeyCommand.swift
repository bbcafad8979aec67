import ArgumentParser
import Foundation
import SwarmFormats
import SwarmRecovery
import SwarmSafeKit

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Unlock keys of autolocked swarms, offline.",
        subcommands: [KeyVerifyCommand.self]
    )
}

struct KeyVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that an unlock key opens a state directory or a backup archive.",
        discussion: """
            Decrypts the node key (swarm-node.key) with the unlock key, in the state \
            directory or inside the archive, without changing anything. The key itself is \
            never printed.

            Exit codes: 0 the key opens it (or the node is not autolocked), 3 it does not \
            (or no key was given), 4 the key file or archive is damaged, 5 not found.
            """
    )

    @OptionGroup var state: StateDirectoryOptions

    @Option(help: ArgumentHelp("Check the node key inside this backup archive instead of a state directory.", valueName: "archive"))
    var archive: String?

    @OptionGroup var decryption: DecryptionOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let unlockKey = try unlock.resolve()
        let outcome: UnlockKeyCheck.Outcome
        let subject: String
        if let archive {
            subject = archive
            outcome = try UnlockKeyCheck.check(archive: archive, key: try decryption.key(), unlockKey: unlockKey)
        } else {
            subject = state.directory.path
            outcome = try UnlockKeyCheck.check(stateDirectory: state.directory, unlockKey: unlockKey)
        }
        if json {
            print(try KeyVerifyReport(subject: subject, result: outcome.rawValue).json())
        } else {
            switch outcome {
            case .opens: print("\(subject): the unlock key opens the node key")
            case .notLocked: print("\(subject): not autolocked; no unlock key is needed")
            }
        }
    }
}

struct KeyVerifyReport: ReportJSON {
    let subject: String
    let result: String
}
