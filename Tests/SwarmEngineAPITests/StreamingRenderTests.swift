import Foundation
import StreamingJSON
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmStore
import SwarmTestSupport
import Testing

@testable import SwarmEngineAPI

/// The embedded manager answers with the streaming JSON encoder; every object real swarmkit
/// stored in the fixtures must render to the document Foundation's JSONEncoder writes for it.
@Suite struct StreamingRenderTests {
    static func document(_ data: Data) throws -> NSObject? {
        try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed) as? NSObject
    }

    static func expectSameDocument(_ value: some Encodable, _ what: String) throws {
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.withoutEscapingSlashes]
        let streamed = try StreamingJSONEncoder().encode(value)
        let parsed = try document(streamed)
        #expect(parsed != nil, "\(what): not JSON")
        #expect(parsed == (try document(foundation.encode(value))), "\(what)")
    }

    /// The service list's hand-written conformances (`JSONWritable`) against `Encodable`.
    static func expectSameWritten(_ value: some Encodable & JSONWritable, _ what: String) throws {
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.withoutEscapingSlashes]
        var json = JSONWriter()
        try json.write(value)
        let parsed = try document(Data(json.bytes))
        #expect(parsed != nil, "\(what): not JSON")
        #expect(parsed == (try document(foundation.encode(value))), "\(what): \(String(decoding: json.bytes, as: UTF8.self))")
    }

    @Test func aServiceWithEveryFieldSetIsWrittenAsJSONEncoderWritesIt() throws {
        var service = EngineService(SwarmService())
        service.createdAt = "2026-12-05T09:00:00.000000001Z"
        service.updatedAt = "2026-12-05T09:00:01Z"
        service.spec = try EveryFieldDecoder.filled(EngineServiceSpec.self)
        service.previousSpec = try EveryFieldDecoder.filled(EngineServiceSpec.self)
        service.endpoint = try EveryFieldDecoder.filled(EngineEndpoint.self)
        service.updateStatus = try EveryFieldDecoder.filled(EngineUpdateStatus.self)
        service.serviceStatus = .init(runningTasks: 1, desiredTasks: 2, completedTasks: 3)
        service.jobStatus = .init(jobIteration: .init(index: 4), lastExecution: "2026-12-05T09:00:02Z")
        try Self.expectSameWritten(service, "a service with every field set")
        // The filler reached the leaves: the deepest members are there to compare.
        let written = try #require(try Self.document(StreamingJSONEncoder().encode(service)) as? [String: Any])
        let spec = try #require(written["Spec"] as? [String: Any])
        let task = try #require(spec["TaskTemplate"] as? [String: Any])
        let container = try #require(task["ContainerSpec"] as? [String: Any])
        let privileges = try #require(container["Privileges"] as? [String: Any])
        #expect((privileges["Seccomp"] as? [String: Any])?["Profile"] != nil)
        #expect((container["Mounts"] as? [Any])?.count == 2)
        #expect(((spec["Mode"] as? [String: Any])?.count) == 4)
    }

    @Test func everyFixtureServiceIsWrittenAsJSONEncoderWritesIt() throws {
        var written = 0
        for (scenario, node) in Fixtures.readManagers {
            let key = Fixtures.unlockKey(scenario).flatMap { try? UnlockKey(text: $0) }
            let folder = StateDirectory(path: Fixtures.folder(scenario, node).path)
            let loaded = try NodeLoader(unlockKey: key).loadManager(folder, replay: true)
            let store = try #require(loaded.cluster?.store, "\(scenario)/\(node) replays")
            for case .service(let service) in try store.decodedObjects(.service) {
                try Self.expectSameWritten(EngineService(service), "\(scenario)/\(node) service \(service.id)")
                written += 1
            }
        }
        #expect(written > 0, "the fixtures hold services")
    }

    @Test func everyFixtureObjectRendersAsJSONEncoderRendersIt() throws {
        var rendered: [ObjectKind: Int] = [:]
        for (scenario, node) in Fixtures.readManagers {
            let key = Fixtures.unlockKey(scenario).flatMap { try? UnlockKey(text: $0) }
            let folder = StateDirectory(path: Fixtures.folder(scenario, node).path)
            let loaded = try NodeLoader(unlockKey: key).loadManager(folder, replay: true)
            let store = try #require(loaded.cluster?.store, "\(scenario)/\(node) replays")
            for kind in ObjectKind.allCases {
                for object in try store.decodedObjects(kind) {
                    let what = "\(scenario)/\(node) \(kind)"
                    switch object {
                    case .service(let service):
                        try Self.expectSameDocument(EngineService(service), what)
                        try Self.expectSameDocument(EngineService(service, insertDefaults: true), what)
                    case .task(let task): try Self.expectSameDocument(EngineTask(task), what)
                    case .node(let node): try Self.expectSameDocument(EngineNode(node, managerStatus: nil, isSelf: true), what)
                    case .network(let network): try Self.expectSameDocument(EngineNetwork(network), what)
                    case .secret(let secret): try Self.expectSameDocument(EngineSecret(secret), what)
                    case .config(let config): try Self.expectSameDocument(EngineConfig(config), what)
                    case .cluster(let cluster): try Self.expectSameDocument(EngineSwarm(cluster, issuer: nil), what)
                    default: continue
                    }
                    rendered[kind, default: 0] += 1
                }
            }
        }
        for kind in [ObjectKind.service, .task, .node, .network, .secret, .config, .cluster] {
            #expect(rendered[kind, default: 0] > 0, "the fixtures hold a \(kind)")
        }
    }
}
