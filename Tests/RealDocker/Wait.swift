import Foundation

/// Polls `condition` until it holds; throws, naming what was awaited and what was last seen,
/// when it does not within `timeout`. Daemons converge in their own time; a test waits for
/// the state it needs, never a fixed sleep, and never forever.
public func waitUntil(
    _ what: String, timeout: TimeInterval = 60, every interval: TimeInterval = 0.25,
    _ condition: () throws -> Bool
) throws {
    let deadline = Date().addingTimeInterval(timeout)
    var lastError: Error?
    while Date() < deadline {
        do {
            if try condition() { return }
            lastError = nil
        } catch {
            lastError = error
        }
        usleep(useconds_t(interval * 1_000_000))
    }
    throw HarnessError.timedOut(what: what, seconds: timeout, detail: lastError.map { "last error: \($0)" } ?? "")
}
