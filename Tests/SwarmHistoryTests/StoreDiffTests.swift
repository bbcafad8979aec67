import Foundation
import SwarmFormats
import SwarmHistory
import SwarmInspection
import SwarmNode
import SwarmProto
import SwarmStore
import SwarmTestSupport
import Testing

@Suite struct StoreDiffTests {
    static func load(_ scenario: String, _ node: String = "manager-1") throws -> LoadedNode {
        let key = try Fixtures.unlockKey(scenario).map { try UnlockKey(parsing: $0, source: "test") }
        return try NodeLoader(unlockKey: key).loadManager(StateDirectory(path: Fixtures.folder(scenario, node).path))
    }

    /// Every object the log touches after `index`, as "kind/id".
    static func touched(_ node: LoadedNode, after index: UInt64) throws -> Set<String> {
        var result = Set<String>()
        try Timeline(log: #require(node.raft)).forEachEvent(HistoryFilter(indexes: (index + 1)...UInt64.max)) { event in
            if case .object(_, let kind, _, let id) = event.what { result.insert("\(kind.rawValue)/\(id)") }
        }
        return result
    }

    static func listed(_ diff: StoreDiff) -> Set<String> {
        Set(diff.kinds.flatMap { kind in
            (kind.added.map(\.id) + kind.removed.map(\.id) + kind.changed.map(\.id)).map { "\(kind.kind.rawValue)/\($0)" }
        })
    }

    @Test(arguments: [("ha-3mgr-snapshot", UInt64(120)), ("single-manager", 14), ("autolock-3mgr", 52)])
    func anEarlierStateDiffersByExactlyTheLaterUpdates(_ scenario: String, _ index: UInt64) throws {
        let node = try Self.load(scenario)
        let now = try #require(node.cluster).store
        let diff = try StoreDiff.compare(node.state(at: index).store, now)
        #expect(!diff.isEmpty)
        #expect(Self.listed(diff) == (try Self.touched(node, after: index)))
        for kind in diff.kinds {
            for changed in kind.changed {
                #expect(!changed.fields.isEmpty)
                #expect(changed.fields.allSatisfy { !$0.path.hasPrefix("meta") })
            }
        }
    }

    @Test func theServiceUpdatesOfTheSnapshotFixture() throws {
        let node = try Self.load("ha-3mgr-snapshot")
        let diff = try StoreDiff.compare(node.state(at: 120).store, #require(node.cluster).store, kinds: [.service])
        let services = try #require(diff.kinds.first)
        #expect(Set(services.changed.map(\.name)) == ["web-2", "web-3"])
        #expect(Set(services.changed.map(\.id)) == ["qmjixfatj43yuu8s45tj0fozu", "lc8gurjoyss9yncbno32e6iq3"])
        #expect(services.added.isEmpty && services.removed.isEmpty)
    }

    @Test func theSameStateHasNoDifferences() throws {
        let store = try #require(Self.load("single-manager").cluster).store
        #expect(try StoreDiff.compare(store, store).isEmpty)
    }

    @Test func metaOnlyChurnIsNotAChangeButALabelIs() throws {
        let node = try Self.load("single-manager")
        let before = try #require(node.cluster).store
        guard case .service(var service) = try #require(before.objects(.service).first).decoded() else {
            Issue.record("not a service")
            return
        }
        var after = before
        service.meta.version.index += 100
        service.meta.updatedAt.seconds += 3600
        after.insert(try StoredObject(.service(service)))
        #expect(try StoreDiff.compare(before, after).isEmpty)
        service.spec.annotations.labels["idx"] = "changed"
        after.insert(try StoredObject(.service(service)))
        let diff = try StoreDiff.compare(before, after)
        let changed = try #require(diff.kinds.first?.changed.first)
        #expect(changed.fields.map(\.path) == ["spec.annotations.labels.idx"])
        #expect(changed.fields.first?.after == .string("changed"))
        #expect(diff.changed == 1 && diff.added == 0 && diff.removed == 0)
    }

    @Test func secretPayloadsAreComparedButNeverShown() throws {
        let node = try Self.load("single-manager")
        let before = try #require(node.cluster).store
        guard case .secret(var secret) = try #require(before.objects(.secret).first).decoded() else {
            Issue.record("not a secret")
            return
        }
        let old = secret.spec.data
        secret.spec.data = Data("swarmsafe-test-new-payload".utf8)
        var after = before
        after.insert(try StoredObject(.secret(secret)))
        let diff = try StoreDiff.compare(before, after)
        let field = try #require(diff.kinds.first?.changed.first?.fields.first)
        #expect(field.path == "spec.data")
        #expect(field.before == .string(Redaction.placeholder))
        #expect(field.after == .string(Redaction.placeholder))
        let report = DiffReport(a: .init(source: "a", index: 1), b: .init(source: "b", index: 2), diff: diff)
        let printed = String(decoding: try JSONEncoder().encode(report), as: UTF8.self) + report.lines.joined(separator: "\n")
        for secretText in [old.base64EncodedString(), secret.spec.data.base64EncodedString(), "swarmsafe-test-new-payload"] {
            #expect(!printed.contains(secretText))
        }
        #expect(!old.isEmpty)
    }
}
