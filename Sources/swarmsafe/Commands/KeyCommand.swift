import ArgumentParser
import Foundation
import SwarmBackup
import SwarmFormats
import SwarmRecovery

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Unlock keys of autolocked swarms, offline.",
        subcommands: [KeyVerifyCommand.self, KeyRotateCommand.self, KeyLockCommand.self, KeyUnlockCommand.self]
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

/// Where a new unlock key goes: a file (mode 0600, never overwritten) or, when asked
/// explicitly, standard output. Nothing is changed unless one of them is given, so a new key
/// can't be lost.
struct NewKeyOutput: ParsableArguments {
    @Option(help: ArgumentHelp("Write the new unlock key to this file (mode 0600; must not exist).", valueName: "file"))
    var newKeyFile: String?

    @Flag(help: "Print the new unlock key on standard output.")
    var printNewKey = false

    func validate() throws {
        guard newKeyFile != nil || printNewKey else {
            throw ValidationError("Say where the new unlock key goes: --new-key-file FILE or --print-new-key.")
        }
        if let newKeyFile, FileManager.default.fileExists(atPath: newKeyFile) {
            throw ValidationError("--new-key-file \(newKeyFile) exists; it is never overwritten.")
        }
    }

    /// Written once the change can no longer be refused, before the folder is replaced: if
    /// this fails, nothing else happens.
    func store(_ key: UnlockKey) throws {
        guard let newKeyFile else { return }
        try FileSync.writeNewFile(newKeyFile, Data((key.text + "\n").utf8), mode: 0o600)
    }

    func announce(_ key: UnlockKey) {
        if printNewKey { print(key.text) }
    }
}

/// The shared run of rotate, lock and unlock.
private func changeUnlockKey(
    _ operation: UnlockKeyChange.Operation, state: StateDirectoryOptions, currentKey: UnlockKey?,
    output: NewKeyOutput?, dryRun: Bool, json: Bool
) throws {
    let change = UnlockKeyChange(directory: state.directory, currentKey: currentKey, operation: operation)
    if dryRun {
        try change.check()
        print("\(state.directory.path): key \(operation.rawValue) would re-encrypt the node key and update the cluster object; dry run: nothing was changed")
        return
    }
    let result = try change.run { try output?.store($0) }
    if let newKey = result.newKey { output?.announce(newKey) }
    if json {
        print(try KeyChangeReport(
            stateDir: state.directory.path, operation: operation.rawValue, autolock: result.newKey != nil,
            newKeyFile: output?.newKeyFile, index: result.index, previousMovedTo: result.previousMovedTo).json())
        return
    }
    let message = switch operation {
    case .rotate: "the node key now opens with the new unlock key"
    case .lock: "autolock is on; the node key now opens only with the new unlock key"
    case .unlock: "autolock is off; the node key is stored in the clear"
    }
    FileHandle.standardError.write(Data("""
        \(state.directory.path): \(message) (cluster object updated at log index \(result.index))
          the previous folder is kept at \(result.previousMovedTo) (rename it back to roll back)\n
        """.utf8))
}

struct KeyRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Give an autolocked swarm a new unlock key, offline.",
        discussion: """
            What `docker swarm unlock-key --rotate` does, for a manager that is its cluster's \
            only voter (a single manager, or one recovered with --force-new-cluster): the \
            node key is re-encrypted with the new key, and the cluster object records it \
            through a log entry. The old key stops working for this folder; keep the new one \
            (--new-key-file) before anything else. The previous folder is kept aside.

            Example: swarmsafe key rotate --unlock-key-file old.key --new-key-file new.key

            Exit codes: 0 done, 1 not autolocked or other managers, 2 usage, 3 no or wrong \
            current key, 5 not found, 6 in use.
            """
    )
    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @OptionGroup var output: NewKeyOutput
    @Flag(help: "Check and print what would change; change nothing.") var dryRun = false
    @Flag(help: "Print the result as JSON (never the key).") var json = false

    func run() throws {
        try changeUnlockKey(.rotate, state: state, currentKey: try unlock.resolve(), output: output, dryRun: dryRun, json: json)
    }
}

struct KeyLockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Turn autolock on, offline: the node key is encrypted with a new unlock key.",
        discussion: """
            What `docker swarm update --autolock=true` does, for a manager that is its \
            cluster's only voter. From then on the daemon (and swarmsafe) need the unlock key \
            to open the folder. The previous folder is kept aside.

            Example: swarmsafe key lock --new-key-file /root/swarm-unlock.key
            """
    )
    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var output: NewKeyOutput
    @Flag(help: "Check and print what would change; change nothing.") var dryRun = false
    @Flag(help: "Print the result as JSON (never the key).") var json = false

    func run() throws {
        try changeUnlockKey(.lock, state: state, currentKey: nil, output: output, dryRun: dryRun, json: json)
    }
}

struct KeyUnlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Turn autolock off, offline: the node key is stored in the clear.",
        discussion: """
            What `docker swarm update --autolock=false` does, for a manager that is its \
            cluster's only voter. Needs the current unlock key. The previous folder (with the \
            encrypted key) is kept aside.
            """
    )
    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @Flag(help: "Check and print what would change; change nothing.") var dryRun = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        try changeUnlockKey(.unlock, state: state, currentKey: try unlock.resolve(), output: nil, dryRun: dryRun, json: json)
    }
}

struct KeyChangeReport: ReportJSON {
    let stateDir: String
    let operation: String
    let autolock: Bool
    let newKeyFile: String?
    let index: UInt64
    let previousMovedTo: String

    enum CodingKeys: String, CodingKey {
        case operation, autolock, index
        case stateDir = "state_dir"
        case newKeyFile = "new_key_file"
        case previousMovedTo = "previous_moved_to"
    }
}
