import Hummingbird

extension EngineRoutes {
    static func addNodes(to router: Router<Context>, api: EngineAPI) {
        router.get("/nodes") { request, _ in
            try EngineResponse.json(try api.nodes(filters: try EngineQuery(request: request).filters()))
        }
        router.get("/nodes/:ref") { _, context in
            try EngineResponse.json(try api.node(try reference(context)))
        }
        router.post("/nodes/:ref/update") { request, context in
            let spec = try await EngineResponse.decode(EngineNodeSpec.self, from: request)
            let (ref, version) = (try reference(context), try EngineQuery(request: request).version())
            try await api.offload { try api.updateNode(ref, version: version, spec: spec) }
            return EngineResponse.empty()
        }
    }
}
