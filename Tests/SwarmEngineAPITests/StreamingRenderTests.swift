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
