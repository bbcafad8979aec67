import Foundation
import SwarmTestSupport
import Testing

/// Runs a command once to learn its file-system steps (every create, write, fsync, rename,
/// exchange and unlink, numbered by the debug build's `SWARMSAFE_STEP_LOG`), then again and
/// again on fresh copies, killed with SIGKILL just before a chosen step, or after a delay where
/// the command takes fewer steps than the points wanted.
///
/// How many points: `SWARMSAFE_CRASH_POINTS` (default 6 in the suite; `scripts/crash-injection.sh`
/// asks for 32). The steps that commit something (renames, exchanges, unlinks) are always among
/// them: that is where a mix of old and new would show.
enum CrashInjection {
    struct Step: Sendable, CustomStringConvertible {
        let number: Int
        let operation: String
        let path: String
        var description: String { "step \(number) (\(operation) \(path))" }
        var commits: Bool { ["rename", "exchange", "unlink", "link"].contains(operation) }
    }

    enum KillPoint: Sendable, CustomStringConvertible {
        case before(Step)
        case after(seconds: Double)
        var description: String {
            switch self {
            case .before(let step): "before \(step)"
            case .after(let seconds): String(format: "after %.3f s", seconds)
            }
        }
    }

    struct Plan {
        let steps: [Step]
        let seconds: Double
        let points: [KillPoint]
    }

    static var pointsWanted: Int {
        ProcessInfo.processInfo.environment["SWARMSAFE_CRASH_POINTS"].flatMap(Int.init) ?? 6
    }

    /// Runs `arguments` to completion (it must succeed) with the step log on, and chooses the
    /// kill points: `wanted` steps spread evenly over the run, every committing step, and kills
    /// by time to make up the number where the run has fewer steps than that.
    static func plan(_ arguments: [String], environment: [String: String] = [:], wanted: Int = pointsWanted) throws -> Plan {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-steps-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: log) }
        let start = Date()
        let result = try CLIRunner.run(arguments, environment: environment.merging(["SWARMSAFE_STEP_LOG": log.path]) { $1 })
        let seconds = Date().timeIntervalSince(start)
        #expect(result.status == 0, "the uninterrupted run failed: \(result.stderr)")
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let steps = text.split(separator: "\n").compactMap { line -> Step? in
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3, let number = Int(parts[0]) else { return nil }
            return Step(number: number, operation: String(parts[1]), path: String(parts[2]))
        }
        #expect(!steps.isEmpty, "the run changed nothing on disk: \(arguments)")
        var chosen = Set<Int>()
        if steps.count <= wanted {
            chosen = Set(steps.map(\.number))
        } else {
            for i in 0..<wanted { chosen.insert(steps[(i * (steps.count - 1)) / max(wanted - 1, 1)].number) }
        }
        for step in steps where step.commits { chosen.insert(step.number) }
        var points = steps.filter { chosen.contains($0.number) }.map(KillPoint.before)
        let missing = wanted - points.count
        if missing > 0 {
            for i in 1...missing { points.append(.after(seconds: seconds * Double(i) / Double(missing + 1))) }
        }
        return Plan(steps: steps, seconds: seconds, points: points)
    }

    /// Runs `arguments` and kills it at `point`. A kill by time may come after the command has
    /// finished: then it simply succeeded, which the judge must accept too.
    static func run(_ arguments: [String], environment: [String: String] = [:], killedAt point: KillPoint) throws -> CLIRunner.Result {
        switch point {
        case .before(let step):
            let result = try CLIRunner.run(arguments, environment: environment.merging(["SWARMSAFE_KILL_AT": "step:\(step.number)"]) { $1 })
            #expect(result.signaled && result.status == SIGKILL, "not killed \(point): exit \(result.status) \(result.stderr)")
            return result
        case .after(let seconds):
            return try CLIRunner.run(arguments, environment: environment, killAfter: seconds)
        }
    }

    /// The names in `parent` besides `target`'s: staging copies, complete leftovers, folders
    /// and files kept aside.
    static func siblings(of target: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path)
            .filter { $0 != target.lastPathComponent }.sorted()
    }

    /// True when some folder beside `target` holds exactly `tree`.
    static func kept(_ tree: [String: Data], beside target: URL) throws -> Bool {
        let parent = target.deletingLastPathComponent()
        return try siblings(of: target).contains { name in
            var isDirectory: ObjCBool = false
            let path = parent.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return false }
            return try Fixtures.tree(path) == tree
        }
    }
}
