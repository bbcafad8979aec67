import Foundation
import Logging

/// Diagnostics go to standard error through swift-log, so standard output stays clean for
/// JSON and dumps that scripts consume.
enum Log {
    static let logger: Logger = {
        var logger = Logger(label: "swarmsafe") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        logger.logLevel = .info
        return logger
    }()

    static func warning(_ message: String) {
        logger.warning("\(message)")
    }
}
