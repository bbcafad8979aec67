import ArgumentParser
import Foundation
import SwarmBackup

@main
struct SwarmSafe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarmsafe",
        abstract: "Back up, restore and rescue Docker Swarm managers, offline.",
        discussion: """
            swarmsafe reads a swarm node's state directory (/var/lib/docker/swarm) exactly as \
            swarmkit does: the raft WAL and snapshots, the node key with its data encryption \
            key, the certificates and state.json. It never changes a folder it only reads.

            Exit codes: 0 ok, 1 other failure, 2 usage, 3 locked (unlock key, age identity \
            or passphrase missing or wrong), 4 corrupt data (or a backup that does not \
            verify), 5 not found (no such state directory, file or archive), 6 busy (the \
            repository or state directory is in use by another process).
            """,
        version: SwarmSafeVersion.string,
        subcommands: [
            InspectCommand.self, DumpCommand.self, InitCommand.self, DecryptCommand.self, BackupCommand.self,
            VerifyCommand.self, RestoreCommand.self, ListCommand.self, PruneCommand.self, RecoverCommand.self,
            CertsCommand.self, KeyCommand.self,
            RepairCommand.self,
            ServeCommand.self, CheckCommand.self, DemoCommand.self,
            HistoryCommand.self, DiffCommand.self,
        ]
    )

    /// Parses and runs, then exits with swarmsafe's documented codes: ArgumentParser's own
    /// usage code (64) is folded into 2 so scripts see one code for "you called it wrong".
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(with: error)
        }
    }

    static func exit(with error: Error) -> Never {
        if let status = ExitStatus(for: error) {
            FileHandle.standardError.write(Data("swarmsafe: error: \(oneLine(error))\n".utf8))
            Foundation.exit(status.rawValue)
        }
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(status(for: error))
    }

    /// The code `exit(with:)` ends the process with for `error`.
    static func status(for error: Error) -> Int32 {
        if let status = ExitStatus(for: error) { return status.rawValue }
        let code = exitCode(for: error)
        return code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue
    }

    /// The error as one line, without ArgumentParser's usage text.
    static func summary(of error: Error) -> String {
        if ExitStatus(for: error) != nil { return oneLine(error) }
        return message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    static func oneLine(_ error: Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
