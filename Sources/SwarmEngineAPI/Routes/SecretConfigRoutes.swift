import Hummingbird

extension EngineRoutes {
    static func addSecrets(to router: Router<Context>, api: EngineAPI) {
        router.get("/secrets") { request, _ in
            try EngineResponse.json(try api.secrets(filters: try EngineQuery(request: request).filters()))
        }
        router.get("/secrets/:ref") { _, context in
            try EngineResponse.json(try api.secret(try reference(context)))
        }
        router.post("/secrets/create") { request, _ in
            let spec = try await EngineResponse.decode(EngineSecretSpec.self, from: request)
            return try EngineResponse.json(CreatedID(id: try await api.offload { try api.createSecret(spec) }), status: .created)
        }
        router.post("/secrets/:ref/update") { request, context in
            let spec = try await EngineResponse.decode(EngineSecretSpec.self, from: request)
            let (ref, version) = (try reference(context), try EngineQuery(request: request).version())
            try await api.offload { try api.updateSecret(ref, version: version, spec: spec) }
            return EngineResponse.empty(.ok)
        }
        router.delete("/secrets/:ref") { _, context in
            let ref = try reference(context)
            try await api.offload { try api.removeSecret(ref) }
            return EngineResponse.empty(.noContent)
        }
    }

    static func addConfigs(to router: Router<Context>, api: EngineAPI) {
        router.get("/configs") { request, _ in
            try EngineResponse.json(try api.configs(filters: try EngineQuery(request: request).filters()))
        }
        router.get("/configs/:ref") { _, context in
            try EngineResponse.json(try api.config(try reference(context)))
        }
        router.post("/configs/create") { request, _ in
            let spec = try await EngineResponse.decode(EngineConfigSpec.self, from: request)
            return try EngineResponse.json(CreatedID(id: try await api.offload { try api.createConfig(spec) }), status: .created)
        }
        router.post("/configs/:ref/update") { request, context in
            let spec = try await EngineResponse.decode(EngineConfigSpec.self, from: request)
            let (ref, version) = (try reference(context), try EngineQuery(request: request).version())
            try await api.offload { try api.updateConfig(ref, version: version, spec: spec) }
            return EngineResponse.empty(.ok)
        }
        router.delete("/configs/:ref") { _, context in
            let ref = try reference(context)
            try await api.offload { try api.removeConfig(ref) }
            return EngineResponse.empty(.noContent)
        }
    }

    static func addNetworks(to router: Router<Context>, api: EngineAPI) {
        router.get("/networks") { request, _ in
            try EngineResponse.json(try api.networks(filters: try EngineQuery(request: request).filters()))
        }
        router.get("/networks/:ref") { _, context in
            try EngineResponse.json(try api.network(try reference(context)))
        }
        router.post("/networks/create") { request, _ in
            let create = try await EngineResponse.decode(EngineNetworkCreate.self, from: request)
            return try EngineResponse.json(CreatedNetwork(id: try await api.offload { try api.createNetwork(create) }), status: .created)
        }
        router.delete("/networks/:ref") { _, context in
            let ref = try reference(context)
            try await api.offload { try api.removeNetwork(ref) }
            return EngineResponse.empty(.noContent)
        }
    }
}

/// `{"Id": …, "Warning": ""}` of a network create (not the `ID` other creates answer).
struct CreatedNetwork: Encodable {
    let id: String
    var warning = ""
    enum CodingKeys: String, CodingKey { case id = "Id", warning = "Warning" }
}
