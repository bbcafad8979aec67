import ArgumentParser
import Foundation
import SwarmFormats

struct StateDirectoryOptions: ParsableArguments {
    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp("The swarm state directory to read.", valueName: "dir"))
    var stateDir: String = "/var/lib/docker/swarm"

    var directory: StateDirectory { StateDirectory(path: stateDir) }
}

/// Where the unlock key of an autolocked swarm comes from. A key on the command line is
/// visible to other users in `ps`; the file and the environment variable are not.
struct UnlockKeyOptions: ParsableArguments {
    static let environmentVariable = "SWARMSAFE_UNLOCK_KEY"

    @Option(help: ArgumentHelp(
        "Unlock key of an autolocked swarm (SWMKEY-1-…). Prefer --unlock-key-file or $SWARMSAFE_UNLOCK_KEY.",
        valueName: "key"))
    var unlockKey: String?

    @Option(help: ArgumentHelp("File holding the unlock key.", valueName: "file"))
    var unlockKeyFile: String?

    func validate() throws {
        if unlockKey != nil && unlockKeyFile != nil {
            throw ValidationError("Give --unlock-key or --unlock-key-file, not both.")
        }
    }

    /// The key from the flag, the file, or the environment, in that order; nil when none.
    func resolve() throws -> UnlockKey? {
        if let unlockKey { return try UnlockKey(parsing: unlockKey, source: "--unlock-key") }
        if let unlockKeyFile {
            let text: String
            do {
                text = try String(contentsOfFile: unlockKeyFile, encoding: .utf8)
            } catch {
                let missing = (error as? CocoaError)?.code == .fileReadNoSuchFile
                throw FileAccessError(path: unlockKeyFile, operation: "read the unlock key file", errno: missing ? ENOENT : EACCES)
            }
            return try UnlockKey(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines), source: unlockKeyFile)
        }
        if let value = ProcessInfo.processInfo.environment[Self.environmentVariable], !value.isEmpty {
            return try UnlockKey(parsing: value.trimmingCharacters(in: .whitespacesAndNewlines), source: "$\(Self.environmentVariable)")
        }
        return nil
    }
}
