import Foundation
import SwarmTestSupport
import Testing

@Suite struct DumpCLITests {
    @Test("dump objects lists every object swarmkit's decoder lists", arguments: Fixtures.readManagers)
    func dumpObjects(scenario: String, node: String) throws {
        let folder = Fixtures.folder(scenario, node).path
        let want = try GoldenReading.objects(scenario, node)
        for kind in GoldenReading.kinds {
            let got = try GoldenReading.dumped(folder, kind: kind, keys: CLIRunner.keyArguments(scenario))
            #expect(Set(got) == want[kind], "\(kind)")
            #expect(got == got.sorted(), "\(kind) ordered by id")
        }
    }

    @Test func secretsAreRedactedUnlessAskedFor() throws {
        let folder = Fixtures.folder("ha-3mgr-snapshot", "manager-1").path
        let secrets = try CLIRunner.run(["dump", "objects", "secret", "--state-dir", folder])
        #expect(secrets.lines.count == 3)
        for secret in secrets.lines {
            #expect(((secret["spec"] as? [String: Any])?["data"] as? String) == "<redacted>")
        }
        let cluster = try CLIRunner.run(["dump", "objects", "cluster", "--state-dir", folder])
        let object = try #require(cluster.lines.first)
        let rootCA = try #require(object["rootCa"] as? [String: Any])
        #expect(rootCA["caKey"] as? String == "<redacted>")
        #expect((rootCA["joinTokens"] as? [String: String])?["manager"] == "<redacted>")
        for key in object["networkBootstrapKeys"] as? [[String: Any]] ?? [] {
            #expect(key["key"] as? String == "<redacted>")
        }
        #expect(!cluster.stdout.contains("SWMTKN"))
        // The log carries the same objects: redacted there too.
        let wal = try CLIRunner.run(["dump", "wal", "--state-dir", Fixtures.folder("single-manager", "manager-1").path])
        #expect(wal.stdout.contains("<redacted>"))
        #expect(!wal.stdout.contains("SWMTKN"))

        let revealed = try CLIRunner.run(["dump", "objects", "secret", "--reveal-secrets", "--state-dir", folder])
        for secret in revealed.lines {
            let data = try #require((secret["spec"] as? [String: Any])?["data"] as? String)
            #expect(Data(base64Encoded: data) != nil)
        }
        let revealedCluster = try CLIRunner.run(["dump", "objects", "cluster", "--reveal-secrets", "--state-dir", folder])
        #expect(revealedCluster.stdout.contains("SWMTKN"))
    }

    @Test("dump wal prints the entries after the snapshot", arguments: Fixtures.readManagers + [("after-force-new-cluster", "manager-2")])
    func dumpWAL(scenario: String, node: String) throws {
        let folder = Fixtures.folder(scenario, node).path
        let result = try CLIRunner.run(["dump", "wal", "--state-dir", folder] + CLIRunner.keyArguments(scenario))
        #expect(result.status == 0, "\(result.stderr)")
        let golden = try #require(Fixtures.golden(scenario, node)["wal_entries"] as? [String: Any])
        let entries = result.lines
        #expect(entries.count == golden["count"] as? Int)
        #expect(entries.first?["index"] as? Int == golden["first"] as? Int)
        #expect(entries.last?["index"] as? Int == golden["last"] as? Int)
        #expect(entries.last?["term"] as? Int == golden["last_term"] as? Int)
        let types = golden["types"] as? [String: Int] ?? [:]
        for (type, count) in types {
            #expect(entries.filter { $0["type"] as? String == type }.count == count, "\(type)")
        }
        for entry in entries where entry["type"] as? String == "EntryConfChange" {
            #expect(entry["conf_change"] != nil)
        }
        let last = try #require(golden["last"] as? Int)
        let ranged = try CLIRunner.run(["dump", "wal", "--from", "\(last)", "--to", "\(last)", "--state-dir", folder] + CLIRunner.keyArguments(scenario))
        #expect(ranged.lines.map { $0["index"] as? Int } == [last])
    }

    @Test func dumpSnapshotShowsTheFileMembership() throws {
        let folder = Fixtures.folder("after-force-new-cluster", "manager-2").path
        let result = try CLIRunner.run(["dump", "snapshot", "--state-dir", folder])
        #expect(result.status == 0, "\(result.stderr)")
        let members = result.json["members"] as? [[String: String]] ?? []
        #expect(members.count == 3)
        #expect(result.json["index"] as? Int == 120)
        let none = try CLIRunner.run(["dump", "snapshot", "--state-dir", Fixtures.folder("single-manager", "manager-1").path])
        #expect(none.status != 0)
        #expect(none.stderr.contains("no snapshot"))
    }
}
