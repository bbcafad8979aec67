import Foundation
import SwarmEngineAPI
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmStore
import SwarmTestSupport
import SwiftProtobuf
import Testing

/// Every spec real swarmkit stored in the fixtures goes to Docker's JSON (through real JSON
/// text) and back, and must come back as the very same protobuf bytes.
@Suite struct SpecFixtureRoundTripTests {
    /// All objects of the read fixtures' managers (the same cluster seen from several
    /// managers gives the same specs again; that only costs time).
    static let objects: [StoreObject] = {
        var all: [StoreObject] = []
        for (scenario, node) in Fixtures.readManagers {
            let key = Fixtures.unlockKey(scenario).flatMap { try? UnlockKey(text: $0) }
            let folder = StateDirectory(path: Fixtures.folder(scenario, node).path)
            guard let loaded = try? NodeLoader(unlockKey: key).loadManager(folder, replay: true),
                let store = loaded.cluster?.store
            else { continue }
            for kind in [ObjectKind.service, .node, .secret, .config, .cluster] {
                all += (try? store.decodedObjects(kind)) ?? []
            }
        }
        return all
    }()

    static func bytes<M: SwiftProtobuf.Message>(_ m: M) throws -> Data {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try m.serializedBytes(options: options)
    }

    /// Through JSON text, as a client would send it back.
    static func viaJSON<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    @Test func everyServiceSpecRoundTripsByteForByte() throws {
        var specs: [SwarmServiceSpec] = []
        for case .service(let s) in Self.objects {
            specs.append(s.spec)
            if s.hasPreviousSpec { specs.append(s.previousSpec) }
        }
        try #require(specs.count >= 3, "the fixtures hold services")
        for spec in specs {
            let json = try Self.viaJSON(EngineServiceSpec(spec))
            let back = try json.swarmSpec(base: spec)
            #expect(try Self.bytes(back) == Self.bytes(spec), "service \(spec.annotations.name)")
        }
    }

    /// The `base` merge must not be what makes the round trip work: without it, only what
    /// Docker's JSON cannot carry (registry auth, store indices) may be missing.
    @Test func everyServiceSpecRoundTripsWithoutBase() throws {
        var count = 0
        for case .service(let s) in Self.objects {
            var expected = s.spec
            expected.annotations.indices = []
            if case .container(var c)? = expected.task.runtime {
                c.clearPullOptions()
                expected.task.runtime = .container(c)
            }
            let back = try Self.viaJSON(EngineServiceSpec(s.spec)).swarmSpec()
            #expect(try Self.bytes(back) == Self.bytes(expected), "service \(s.spec.annotations.name)")
            count += 1
        }
        try #require(count > 0)
    }

    @Test func everyNodeSpecRoundTrips() throws {
        var count = 0
        for case .node(let n) in Self.objects {
            let json = try Self.viaJSON(EngineNodeSpec(n.spec))
            #expect(try Self.bytes(json.swarmSpec(base: n.spec)) == Self.bytes(n.spec))
            // Against an empty base, everything but membership must still arrive.
            var expected = n.spec
            expected.membership = .pending
            #expect(try json.swarmSpec(base: SwarmNodeSpec()) == expected)
            count += 1
        }
        try #require(count > 0, "the fixtures hold nodes")
    }

    @Test func everySecretSpecRoundTripsAndHidesItsValue() throws {
        var count = 0
        for case .secret(let s) in Self.objects {
            let json = try Self.viaJSON(EngineSecretSpec(s.spec, includeData: true))
            #expect(try Self.bytes(json.swarmSpec()) == Self.bytes(s.spec), "secret \(s.spec.annotations.name)")
            let shown = try JSONSerialization.jsonObject(with: JSONEncoder().encode(EngineSecretSpec(s.spec, includeData: false)))
            let keys = try #require(shown as? [String: Any]).keys
            #expect(!keys.contains("Data") && keys.contains("Name") && keys.contains("Labels"))
            count += 1
        }
        try #require(count > 0, "the fixtures hold secrets")
    }

    @Test func everyConfigSpecRoundTrips() throws {
        var count = 0
        for case .config(let c) in Self.objects {
            let json = try Self.viaJSON(EngineConfigSpec(c.spec))
            #expect(json.data == c.spec.data)
            #expect(try Self.bytes(json.swarmSpec()) == Self.bytes(c.spec), "config \(c.spec.annotations.name)")
            count += 1
        }
        try #require(count > 0, "the fixtures hold configs")
    }

    @Test func clusterSpecShowsTheStoredSettings() throws {
        var count = 0
        for case .cluster(let c) in Self.objects {
            let spec = try Self.viaJSON(EngineClusterSpec(c.spec))
            #expect(spec.name == c.spec.annotations.name)
            #expect(spec.raft?.electionTick == Int(c.spec.raft.electionTick))
            #expect(spec.raft?.heartbeatTick == Int(c.spec.raft.heartbeatTick))
            #expect(spec.raft?.keepOldSnapshots == c.spec.raft.keepOldSnapshots)
            #expect(spec.orchestration?.taskHistoryRetentionLimit == c.spec.orchestration.taskHistoryRetentionLimit)
            #expect(spec.dispatcher?.heartbeatPeriod == c.spec.dispatcher.heartbeatPeriod.seconds * 1_000_000_000)
            #expect(spec.caConfig?.nodeCertExpiry == c.spec.caConfig.nodeCertExpiry.seconds * 1_000_000_000)
            #expect(spec.encryptionConfig?.autoLockManagers == c.spec.encryptionConfig.autoLockManagers)
            count += 1
        }
        try #require(count > 0)
    }

    /// A change made in the JSON lands in the swarmkit spec and nothing else moves.
    @Test func anEditedServiceChangesOnlyWhatWasEdited() throws {
        let candidates = Self.objects.compactMap { o -> SwarmService? in
            if case .service(let s) = o, case .replicated? = s.spec.mode, case .container? = s.spec.task.runtime { s } else { nil }
        }
        let service = try #require(candidates.first)
        var json = EngineServiceSpec(service.spec)
        json.mode = EngineServiceMode(replicated: .init(replicas: 42))
        json.taskTemplate?.containerSpec?.env = ["EDITED=1"]
        json.taskTemplate?.forceUpdate = 3
        let back = try Self.viaJSON(json).swarmSpec(base: service.spec)

        var expected = service.spec
        expected.mode = .replicated(.with { $0.replicas = 42 })
        expected.task.forceUpdate = 3
        if case .container(var c)? = expected.task.runtime {
            c.env = ["EDITED=1"]
            expected.task.runtime = .container(c)
        }
        #expect(try Self.bytes(back) == Self.bytes(expected))
    }
}
