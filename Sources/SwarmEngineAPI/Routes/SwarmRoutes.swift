import Hummingbird

extension EngineRoutes {
    struct UnlockRequest: Decodable {
        let unlockKey: String
        enum CodingKeys: String, CodingKey { case unlockKey = "UnlockKey" }
    }
    struct UnlockKeyResponse: Encodable {
        let unlockKey: String
        enum CodingKeys: String, CodingKey { case unlockKey = "UnlockKey" }
    }

    static func addSwarm(to router: Router<Context>, api: EngineAPI) {
        router.get("/swarm") { _, _ in try EngineResponse.json(try api.swarm()) }
        router.get("/swarm/unlockkey") { _, _ in
            try EngineResponse.json(UnlockKeyResponse(unlockKey: try api.unlockKey()))
        }
        router.post("/swarm/unlock") { request, _ in
            let body = try await EngineResponse.decode(UnlockRequest.self, from: request)
            try api.unlock(body.unlockKey)
            return EngineResponse.empty()
        }
    }
}
