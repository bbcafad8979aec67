import Foundation

/// Why the real-Docker harness could not do what a test asked. Each says what to do about it:
/// a judge that cannot sit must say so loudly, never skip.
public enum HarnessError: Error, CustomStringConvertible {
    case missingTool(String)
    case cannotStart(command: String, reason: String)
    case timedOut(what: String, seconds: TimeInterval, detail: String)
    case daemonDied(name: String, log: String)
    case commandFailed(CommandResult)
    case unexpected(String)

    public var description: String {
        switch self {
        case .missingTool(let tool):
            "\(tool) is not installed: run scripts/install-system-packages.sh (Debian's docker.io and busybox-static)"
        case .cannotStart(let command, let reason):
            "cannot start `\(command)`: \(reason)"
        case .timedOut(let what, let seconds, let detail):
            "\(what): no result within \(Int(seconds)) s\(detail.isEmpty ? "" : "\n\(detail.suffix(3000))")"
        case .daemonDied(let name, let log):
            "\(name) exited; the last lines of its log:\n\(log)"
        case .commandFailed(let result):
            "\(result)"
        case .unexpected(let text):
            text
        }
    }
}
