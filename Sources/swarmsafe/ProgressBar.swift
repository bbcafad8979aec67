import Foundation
import SwarmBackup

/// A one-line progress bar on standard error, drawn only when standard error is a terminal
/// (cron mail and log files never see it) and redrawn at most ten times a second.
final class ProgressBar {
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(quiet: Bool) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    var handler: ((BackupProgress) -> Void)? {
        enabled ? { [self] in self.update($0) } : nil
    }

    func update(_ progress: BackupProgress) {
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || progress.done == progress.total else { return }
        lastDraw = now
        var line = "\(progress.phase.rawValue)"
        if progress.total > 0 {
            let fraction = min(1, Double(progress.done) / Double(progress.total))
            let width = 30
            let filled = Int(fraction * Double(width))
            line += " [" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "]"
            line += String(format: " %3.0f%% %@ / %@", fraction * 100, Self.size(progress.done), Self.size(progress.total))
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    /// Clears the line before anything else is printed.
    func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }

    static func size(_ bytes: Int64) -> String {
        ByteCountFormatter.string(fromByteCount: bytes, countStyle: .binary)
    }
}
