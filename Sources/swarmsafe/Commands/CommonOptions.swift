import ArgumentParser
import Foundation
import S3Client
import SwarmBackup
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

/// How `s3://` repositories and archives are reached. Unset options come from where the AWS
/// CLI finds them: AWS_ENDPOINT_URL, AWS_REGION, AWS_PROFILE, ~/.aws/config and
/// ~/.aws/credentials. Credentials are never taken from the command line.
struct S3Options: ParsableArguments {
    @Option(name: .customLong("s3-endpoint"), help: ArgumentHelp(
        "S3 endpoint (default: $AWS_ENDPOINT_URL, else AWS's endpoint for the region).", valueName: "url"))
    var endpoint: String?

    @Option(name: .customLong("s3-region"), help: ArgumentHelp(
        "Region to sign for (default: $AWS_REGION, the profile's region, us-east-1).", valueName: "region"))
    var region: String?

    @Flag(name: .customLong("s3-path-style"), inversion: .prefixedNo, help: ArgumentHelp(
        "Put the bucket in the path, not the host name (default: on for an IP address or localhost endpoint)."))
    var pathStyle: Bool?

    @Option(name: .customLong("s3-ca-file"), help: ArgumentHelp(
        "PEM file of CA certificates to trust instead of the system's.", valueName: "file"))
    var caFile: String?

    @Option(name: .customLong("s3-profile"), help: ArgumentHelp(
        "Profile of ~/.aws/credentials and ~/.aws/config (default: $AWS_PROFILE, else default).", valueName: "name"))
    var profile: String?

    @Option(name: .customLong("s3-part-size"), help: ArgumentHelp(
        "Size of each upload part (S3 refuses parts under 5MiB but the last; two are held in memory at once).", valueName: "size"))
    var partSize: String = "5MiB"

    func validate() throws {
        guard let bytes = Self.bytes(partSize), bytes > 0 else {
            throw ValidationError("--s3-part-size must be a size such as 8MiB or 16777216, got '\(partSize)'")
        }
        guard bytes <= 5 << 30 else { throw ValidationError("--s3-part-size must be at most 5GiB (S3's limit)") }
    }

    /// The settings for `addresses`, or nil when none of them is an `s3://` address (so a
    /// local run never needs AWS credentials).
    func settings(for addresses: String?...) throws -> S3Settings? {
        guard addresses.contains(where: { $0.map(ArchiveSources.isRemote) ?? false }) else { return nil }
        let configuration = try S3Configuration.resolve(
            S3Configuration.Overrides(endpoint: endpoint, region: region, pathStyle: pathStyle, caFile: caFile, profile: profile))
        return S3Settings(configuration: configuration, partSize: Self.bytes(partSize) ?? S3UploadStream.defaultPartSize)
    }

    /// "8MiB", "512KiB", "5M", "1048576": bytes.
    static func bytes(_ text: String) -> Int? {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Int(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Int(text)
    }
}
