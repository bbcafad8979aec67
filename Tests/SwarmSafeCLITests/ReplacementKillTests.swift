import Foundation
import SwarmTestSupport
import Testing

/// Every command that replaces a state directory does it through one transaction; these kill
/// a real run at each of its steps (kill points compiled into debug builds, so the kill is
/// known to land inside the step) and check what an operator finds afterwards.
@Suite struct ReplacementKillTests {
    enum Found: Equatable {
        /// The target holds the old state.
        case old
        /// The target holds the new state.
        case new
    }

    struct Case: Sendable, CustomStringConvertible {
        let point: String
        let target: Found
        /// A `-staging-` folder (a partial copy the next run removes).
        let partialLeft: Bool
        /// A complete `-restore-` folder, and what it holds.
        let completeLeft: Found?
        /// Where the old state is kept by then, besides any leftover.
        let asideHoldsOld: Bool
        var description: String { point }
    }

    static let cases: [Case] = [
        Case(point: "replace-filled", target: .old, partialLeft: true, completeLeft: nil, asideHoldsOld: false),
        Case(point: "replace-complete", target: .old, partialLeft: false, completeLeft: .new, asideHoldsOld: false),
        Case(point: "swap-exchanged", target: .new, partialLeft: false, completeLeft: .old, asideHoldsOld: false),
        Case(point: "replace-installed", target: .new, partialLeft: false, completeLeft: nil, asideHoldsOld: true),
    ]

    static func members(_ folder: URL) throws -> Int? {
        let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path])
        return ((inspect.json["raft"] as? [String: Any])?["members"] as? [Any])?.count
    }

    @Test("recover --force-new-cluster killed at each step: old or new state, whole; the next run finishes the job", arguments: cases)
    func recoverKilled(at kill: Case) throws {
        let (parent, folder) = try RecoverCLITests.privateCopy("ha-3mgr-snapshot", "manager-3")
        defer { try? FileManager.default.removeItem(at: parent) }
        let old = try Fixtures.tree(folder.path)
        #expect(try Self.members(folder) == 3)

        let killed = try CLIRunner.run(
            ["recover", "--force-new-cluster", "--state-dir", folder.path], environment: ["SWARMSAFE_KILL_AT": kill.point])
        #expect(killed.signaled && killed.status == SIGKILL, "not killed at \(kill.point): \(killed.status) \(killed.stderr)")

        let names = try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted()
        let partial = names.filter { $0.hasPrefix(".swarm.swarmsafe-staging-") }
        let complete = names.filter { $0.hasPrefix(".swarm.swarmsafe-restore-") }
        let aside = names.filter { $0.hasPrefix("swarm.swarmsafe-old-") }
        #expect(partial.count == (kill.partialLeft ? 1 : 0), "\(names)")
        #expect(complete.count == (kill.completeLeft == nil ? 0 : 1), "\(names)")
        #expect(aside.count == (kill.asideHoldsOld ? 1 : 0), "\(names)")

        switch kill.target {
        case .old: #expect(try Fixtures.tree(folder.path) == old)
        case .new: #expect(try Self.members(folder) == 1)
        }
        if let leftover = complete.first {
            let url = parent.appendingPathComponent(leftover)
            switch kill.completeLeft {
            case .old?: #expect(try Fixtures.tree(url.path) == old)
            case .new?: #expect(try Self.members(url) == 1)
            case nil: break
            }
        }
        if let kept = aside.first { #expect(try Fixtures.tree(parent.appendingPathComponent(kept).path) == old) }

        // The operator runs it again: it finishes (or finds nothing left to do), removes only
        // the partial copy, and warns about a complete leftover instead of touching it.
        let again = try CLIRunner.run(["recover", "--force-new-cluster", "--state-dir", folder.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.members(folder) == 1)
        let after = try FileManager.default.contentsOfDirectory(atPath: parent.path)
        #expect(!after.contains { $0.hasPrefix(".swarm.swarmsafe-staging-") })
        #expect(after.filter { $0.hasPrefix(".swarm.swarmsafe-restore-") } == complete)
        if !complete.isEmpty { #expect(again.stderr.contains(complete[0])) }
        // The old state is whole somewhere, whatever the kill.
        let oldKept = try after.filter { $0 != "swarm" }.contains { try Fixtures.tree(parent.appendingPathComponent($0).path) == old }
        #expect(oldKept, "\(after)")
    }
}
