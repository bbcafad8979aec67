import Foundation

/// The built `swarmsafe` binary, run as an operator runs it.
public enum SwarmsafeCLI {
    /// The test bundle sits next to the products it was built with.
    public static let binary: String = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for folder in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("swarmsafe").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return bundle.appendingPathComponent("swarmsafe").path
    }()

    /// Runs `swarmsafe ARGS`; the unlock-key variable of the test's own environment is never
    /// passed on by accident.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 300
    ) throws -> CommandResult {
        var env = environment
        if env["SWARMSAFE_UNLOCK_KEY"] == nil { env["SWARMSAFE_UNLOCK_KEY"] = "" }
        return try BoundedCommand.run(binary, arguments, environment: env, timeout: timeout)
    }

    /// Runs it and throws with everything it printed unless it succeeds.
    @discardableResult
    public static func expectSuccess(
        _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 300
    ) throws -> CommandResult {
        let result = try run(arguments, environment: environment, timeout: timeout)
        guard result.succeeded else { throw HarnessError.commandFailed(result) }
        return result
    }
}
