import Foundation
import SwarmConventions
import SwarmEngineAPI
import SwarmFormats
import SwarmProto

/// The input is a request body of the Engine API, decoded as every route that takes one
/// decodes it (service, secret, config, network, node, swarm update, unlock) and converted to
/// swarmkit's spec with the routes' validation; it is also tried as a `filters` query value.
/// A service or swarm spec that converts must survive what `docker service update` and
/// `docker swarm update` do with no flags: inspect's JSON sent back unchanged is no change.
enum EngineAPIFuzz {
    static func run(_ data: Data) -> FuzzOutcome {
        let outcomes = [
            decode(EngineServiceSpec.self, data) { spec in
                let stored = try spec.swarmSpec(base: nil)
                let echoed = try viaJSON(EngineServiceSpec(stored)).swarmSpec(base: stored)
                precondition(echoed == stored, "a service updated with its own inspect JSON changes")
            },
            decode(EngineSecretSpec.self, data) { spec in
                let stored = try spec.swarmSpec()
                _ = try JSONEncoder().encode(EngineSecretSpec(stored, includeData: false))
            },
            decode(EngineConfigSpec.self, data) { spec in
                _ = try JSONEncoder().encode(EngineConfigSpec(try spec.swarmSpec()))
            },
            decode(EngineNetworkCreate.self, data) { request in _ = request.swarmSpec() },
            decode(EngineNodeSpec.self, data) { spec in
                let stored = try spec.swarmSpec(base: SwarmNodeSpec())
                let echoed = try viaJSON(EngineNodeSpec(stored)).swarmSpec(base: stored)
                precondition(echoed == stored, "a node updated with its own inspect JSON changes")
            },
            decode(EngineClusterSpec.self, data) { spec in
                let stored = try spec.swarmSpec(base: ClusterDefaults.clusterSpec(autolock: false))
                let echoed = try viaJSON(EngineClusterSpec(stored)).swarmSpec(base: stored)
                precondition(echoed == stored, "a swarm updated with its own inspect JSON changes")
            },
            decode(UnlockBody.self, data) { body in _ = try UnlockKey(text: body.unlockKey) },
        ]
        // Not part of the outcome: almost any text is a valid (empty or absent) filter.
        _ = try? EngineFilters(json: String(decoding: data, as: UTF8.self))
        return outcomes.first(where: \.isAccepted) ?? outcomes[0]
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ body: (T) throws -> Void) -> FuzzOutcome {
        FuzzOutcome.of { try body(try JSONDecoder().decode(type, from: data)) }
    }

    /// Through JSON both ways, as the docker CLI sees an answer and sends it back.
    private static func viaJSON<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    /// `POST /swarm/unlock`'s body (the route's own type is internal).
    struct UnlockBody: Decodable {
        let unlockKey: String
        enum CodingKeys: String, CodingKey { case unlockKey = "UnlockKey" }
    }
}
