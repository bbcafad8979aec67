import Foundation
import SwarmBackup
import SwarmCheck
import SwarmFormats
import SwarmManager
import SwarmNode
import SwarmStore
import SwarmTestScenarios
import SwarmTestSupport
import Testing

/// A hot backup taken around `docker service rm` holds tasks whose service is gone; real
/// dockerd boots it and cleans them up, so `check` must pass it and count them.
@Suite struct RemovedServicesCheckTests {
    static let information =
        "4 tasks of removed services await swarmkit's cleanup: its orchestrators delete them when the manager starts"

    @Test func tasksOfRemovedServicesAreInformationAndTheStateBoots() throws {
        let state = try RemovedServicesState.make("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: state.parent) }
        #expect(state.removedServices == ["web-0", "web-1"])
        #expect(state.markedForRemoval.count == 2)
        #expect(state.leftRunning.count == 2)

        // The log as replayed: one service left, all six tasks still there.
        let node = try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: state.folder.path), replay: true)
        let store = try #require(node.cluster?.store)
        #expect(store.count(.service) == 1)
        #expect(store.count(.task) == 6)
        #expect(try ReferenceCheck.check(store) == ReferenceReport(findings: [], information: [Self.information]))

        let report = try ManagerCheck(source: state.folder.path, unlockKey: nil, workParent: state.parent.path).run()
        #expect(report.passed, "\(report.failures)")
        #expect(report.information == [Self.information])
        let references = try #require(report.items.first { $0.name == "references" })
        #expect(references.ok)
        #expect(references.detail
            == "every service's secrets, configs and networks exist; tasks of removed services or nodes are left to swarmkit's cleanup")
        // The check worked on a scratch copy: the state keeps its tasks.
        let after = try NodeLoader(unlockKey: nil).loadManager(StateDirectory(path: state.folder.path), replay: true)
        #expect(after.cluster?.store.count(.task) == 6)
    }
}
