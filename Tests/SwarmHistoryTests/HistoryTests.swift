import Foundation
import SwarmFormats
import SwarmHistory
import SwarmNode
import SwarmStore
import SwarmTestSupport
import Testing

/// `history` on the real fixtures: entries whose content is known from `dump wal`.
@Suite struct HistoryTests {
    static func events(
        _ scenario: String, _ node: String = "manager-1", _ filter: HistoryFilter = HistoryFilter()
    ) throws -> [HistoryEvent] {
        let key = try Fixtures.unlockKey(scenario).map { try UnlockKey(parsing: $0, source: "test") }
        let loaded = try NodeLoader(unlockKey: key).loadManager(StateDirectory(path: Fixtures.folder(scenario, node).path), replay: false)
        var events: [HistoryEvent] = []
        try Timeline(log: #require(loaded.raft)).forEachEvent(filter) { events.append($0) }
        return events
    }

    static func lines(_ events: [HistoryEvent], at index: UInt64) -> [String] {
        events.filter { $0.index == index }.map(\.what.text)
    }

    @Test func knownEntriesOfASingleManager() throws {
        let events = try Self.events("single-manager")
        #expect(Self.lines(events, at: 1) == ["add member 4476ed6b6cbbbad3 (node 9boidup3dcx2vuk98n74xm4ri, 127.0.0.1:46507)"])
        #expect(events.first { $0.index == 1 }?.time == nil)
        // Entry 2 is the new leader's empty entry: left out.
        #expect(Self.lines(events, at: 2).isEmpty)
        // One entry, three actions: three lines, in the entry's order.
        let three = Self.lines(events, at: 3)
        #expect(three.count == 3)
        #expect(three.first == "create cluster default (k0mv8k57ex74hylb9f51v5f6k)")
        #expect(three.last == "create network ingress (nzfsumyfukymnuexdp0ngk2qj)")
        #expect(Self.lines(events, at: 15) == ["create service web-0 (0dftucgwoe9okprs60wshq5pn)"])
        #expect(Self.lines(events, at: 16) == ["update service web-0 (0dftucgwoe9okprs60wshq5pn)"])
        let created = try #require(events.first { $0.index == 15 })
        #expect(created.line.hasPrefix("15  t2  2026-11-22T15:47:46Z  create service web-0"))
        // Tasks are named as `docker service ps` shows them.
        let tasks = Self.lines(events, at: 17)
        #expect(tasks.count == 2)
        #expect(tasks.allSatisfy { $0.hasPrefix("create task web-0.") })
        #expect(events.map(\.index) == events.map(\.index).sorted())
    }

    @Test func noOpsOnlyWhenAsked() throws {
        let events = try Self.events("single-manager", "manager-1", HistoryFilter(includeNoOps: true))
        #expect(Self.lines(events, at: 2) == ["leader no-op"])
    }

    @Test func theSnapshotComesFirst() throws {
        let events = try Self.events("ha-3mgr-snapshot")
        let first = try #require(events.first)
        #expect(first.index == 120)
        #expect(first.what.text.hasPrefix("snapshot: 5 nodes, 12 services, 30 tasks"))
        #expect(first.what.text.hasSuffix("3 members"))
        #expect(first.time != nil)
        #expect(Self.lines(events, at: 121) == ["update service web-2 (qmjixfatj43yuu8s45tj0fozu)"])
        #expect(Self.lines(events, at: 122) == ["update service web-3 (lc8gurjoyss9yncbno32e6iq3)"])
        #expect(events.dropFirst().allSatisfy { $0.index > 120 })
    }

    @Test func filtersByKindNameAndIndex() throws {
        let services = try Self.events("ha-3mgr-snapshot", "manager-1", HistoryFilter(kinds: ["service"], name: "web-2"))
        #expect(services.filter { $0.index > 120 }.map(\.line).count == 1)
        #expect(services.last?.index == 121)
        // A service's name brings its tasks along.
        let named = try Self.events("ha-3mgr-snapshot", "manager-1", HistoryFilter(name: "web-2"))
        let later = named.filter { $0.index > 120 }
        #expect(later.count > 1)
        #expect(later.allSatisfy { $0.what.text.contains(" web-2") })
        #expect(later.contains { $0.what.text.hasPrefix("update task web-2.") })
        // An index range leaves the snapshot out when it does not cover it.
        let range = try Self.events("ha-3mgr-snapshot", "manager-1", HistoryFilter(indexes: 122...122))
        #expect(range.map(\.index) == [122])
        let members = try Self.events("single-manager", "manager-1", HistoryFilter(kinds: ["member"]))
        #expect(members.map(\.index) == [1])
    }

    @Test func jsonLinesCarryTheFields() throws {
        let events = try Self.events("single-manager")
        let event = try #require(events.first { $0.index == 15 })
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(event.jsonLine().utf8)) as? [String: Any])
        #expect(object["index"] as? Int == 15)
        #expect(object["action"] as? String == "create")
        #expect(object["kind"] as? String == "service")
        #expect(object["name"] as? String == "web-0")
        #expect(object["id"] as? String == "0dftucgwoe9okprs60wshq5pn")
        #expect((object["time"] as? String)?.hasPrefix("2026-11-22T15:47:46") == true)
        let first = try #require(events.first)
        let member = try #require(try JSONSerialization.jsonObject(with: Data(first.jsonLine().utf8)) as? [String: Any])
        #expect(member["kind"] as? String == "member")
        #expect(member["raft_id"] as? String == "4476ed6b6cbbbad3")
    }

    @Test func autolockedLogsReadWithTheKey() throws {
        let events = try Self.events("autolock-3mgr")
        #expect(events.first?.what.text.hasPrefix("snapshot:") == true)
        #expect(events.contains { $0.index == 53 && $0.what.text.hasPrefix("update service ") })
    }
}
