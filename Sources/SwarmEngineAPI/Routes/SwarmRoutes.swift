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
        router.post("/swarm/update") { request, _ in
            let query = EngineQuery(request: request)
            let spec: EngineClusterSpec
            do {
                spec = try await EngineResponse.decode(EngineClusterSpec.self, from: request)
            } catch let error as EngineError where error == EngineResponse.emptyBody {
                // dockerd 20.10's words for a swarm update without a body.
                throw EngineError.badRequest("got EOF while reading request body")
            }
            let (version, rotation) = (try query.swarmVersion(), try query.rotation())
            try await api.offload { try api.updateSwarm(version: version, spec: spec, rotation: rotation) }
            return EngineResponse.empty()
        }
        router.post("/swarm/unlock") { request, _ in
            let body = try await EngineResponse.decode(UnlockRequest.self, from: request)
            let key = body.unlockKey
            try await api.offload { try api.unlock(key) }
            return EngineResponse.empty()
        }
    }
}

extension EngineQuery {
    /// dockerd's reading of `?version=` for a swarm update: required, with Go's wording.
    func swarmVersion() throws(EngineError) -> UInt64 {
        let raw = self["version"] ?? ""
        guard let value = UInt64(raw) else {
            throw EngineError.badRequest("invalid swarm version '\(raw)': strconv.ParseUint: parsing \"\(raw)\": invalid syntax")
        }
        return value
    }

    /// The rotate flags, read with Go's strconv.ParseBool as dockerd reads them.
    func rotation() throws(EngineError) -> SwarmRotation {
        SwarmRotation(
            workerJoinToken: try goBool("rotateWorkerToken"), managerJoinToken: try goBool("rotateManagerToken"),
            managerUnlockKey: try goBool("rotateManagerUnlockKey"))
    }

    private func goBool(_ name: String) throws(EngineError) -> Bool {
        guard let value = self[name], !value.isEmpty else { return false }
        switch value {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: throw EngineError.badRequest("invalid value for \(name): \(value)")
        }
    }
}
