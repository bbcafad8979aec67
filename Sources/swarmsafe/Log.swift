import Foundation
import Logging

/// Diagnostics go to standard error through swift-log, so standard output stays clean for
/// JSON and dumps that scripts consume.
enum Log {
    static let logger = make(quiet: false)

    /// A logger for one command run; `--quiet` keeps only errors (cron mails only on trouble).
    static func make(quiet: Bool) -> Logger {
        let level: Logger.Level = quiet ? .error : .info
        var logger = Logger(label: "swarmsafe") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        logger.logLevel = level
        return logger
    }

    static func warning(_ message: String) {
        logger.warning("\(message)")
    }

    /// Lines that explain a result without changing it (e.g. what swarmkit will clean up by
    /// itself), on standard error in the form of our error line, `swarmsafe: information: …`.
    static func information(_ lines: [String]) {
        for line in lines {
            FileHandle.standardError.write(Data("swarmsafe: information: \(line)\n".utf8))
        }
    }
}
