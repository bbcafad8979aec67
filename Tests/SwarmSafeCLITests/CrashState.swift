import Foundation
import SwarmTestSupport
import Testing

/// The state directory the crash tests kill commands on: the fixture each test names, or —
/// with `SWARMSAFE_CRASH_STATE=DIR` (and `SWARMSAFE_CRASH_UNLOCK_KEY=SWMKEY-1-…` when it is
/// autolocked) — one manager's state from outside, copied afresh for every kill, so the same
/// kills and judgements run on states the tests were never written against
/// (`scripts/crash-injection.sh --state DIR`).
enum CrashState {
    struct Outside {
        let path: String
        let unlockKey: String?
    }

    static var outside: Outside? {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment["SWARMSAFE_CRASH_STATE"], !path.isEmpty else { return nil }
        let key = environment["SWARMSAFE_CRASH_UNLOCK_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return Outside(path: path, unlockKey: key)
    }

    /// A private copy (modes kept) of the outside state, or of the fixture when there is none.
    static func copy(_ scenario: String, _ node: String) throws -> (parent: URL, folder: URL) {
        guard let outside else { return try RecoverCLITests.privateCopy(scenario, node) }
        let parent = BackupCLITests.scratch()
        let folder = parent.appendingPathComponent("swarm")
        #expect(Fixtures.run("/bin/cp", ["-a", outside.path, folder.path]) == 0, "cannot copy \(outside.path)")
        return (parent, folder)
    }

    /// The unlock key arguments of the state `copy` gives for this fixture.
    static func keyArguments(_ scenario: String) -> [String] {
        guard let outside else { return CLIRunner.keyArguments(scenario) }
        return outside.unlockKey.map { ["--unlock-key", $0] } ?? []
    }

    /// Whether the state the tests start from is autolocked: the fixture's nature, or, outside,
    /// whether an unlock key was given for it.
    static func isAutolocked(fixture scenario: String) -> Bool {
        guard let outside else { return Fixtures.unlockKey(scenario) != nil }
        return outside.unlockKey != nil
    }
}
