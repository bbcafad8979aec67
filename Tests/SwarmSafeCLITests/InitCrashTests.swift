import Foundation
import SwarmTestSupport
import Testing

/// `init` killed with SIGKILL before each of its file-system steps: the target is missing (or
/// the empty folder it was) or a complete new swarm, never a half-written one that a later
/// command would take for a state; the next run finishes, or refuses in one line because the
/// killed run had already finished; the result boots.
@Suite struct InitCrashTests {
    @Test("init killed before its steps: nothing, or a whole swarm that boots")
    func initKilled() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        func arguments(_ target: URL) -> [String] {
            ["init", "--state-dir", target.path, "--advertise-addr", "127.0.0.78:2377", "--hostname", "crash-1"]
        }
        func fresh(_ name: String) throws -> URL {
            let parent = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            return parent.appendingPathComponent("swarm")
        }

        let plan = try CrashInjection.plan(arguments(try fresh("planned")))
        print("init: \(plan.steps.count) steps in \(String(format: "%.2f", plan.seconds)) s; killing at \(plan.points.count) points")
        var complete = 0
        for (n, point) in plan.points.enumerated() {
            let target = try fresh("run-\(n)")
            _ = try CrashInjection.run(arguments(target), killedAt: point)
            let context = "init killed \(point)"

            let names = (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? []
            let finished = !names.isEmpty
            if finished {
                complete += 1
                let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", target.path])
                #expect(inspect.status == 0, "\(context): a half-written swarm: \(inspect.stderr)")
            }
            for sibling in try CrashInjection.siblings(of: target) {
                #expect(sibling.hasPrefix("."), "\(context): a visible leftover \(sibling)")
            }

            let again = try CLIRunner.run(arguments(target))
            if finished {
                let errors = again.stderr.split(separator: "\n").filter { $0.contains("error:") }
                #expect(again.status != 0 && errors.count == 1, "\(context): init over a complete swarm should refuse in one line: \(again.stderr)")
            } else {
                #expect(again.status == 0, "\(context): the next init failed: \(again.stderr)")
            }
            let leftovers = try CrashInjection.siblings(of: target)
            #expect(leftovers.isEmpty, "\(context): left beside the new swarm: \(leftovers)")
            let check = try CLIRunner.run(["check", "--state-dir", target.path, "--advertise-addr", "127.0.0.78:2377"])
            #expect(check.status == 0, "\(context): the new swarm does not boot: \(check.stdout)\(check.stderr)")
        }
        print("init: \(complete) of \(plan.points.count) kills came after the swarm was in place")
    }
}
