import HTTPTypes
import Hummingbird

extension EngineRoutes {
    static func addServices(to router: Router<Context>, api: EngineAPI) {
        router.get("/services") { request, _ in
            let query = EngineQuery(request: request)
            await api.untilWarm()
            return EngineResponse.rawJSON(try api.servicesJSON(filters: try query.filters(), status: query.bool("status")))
        }
        router.get("/services/:ref") { request, context in
            let query = EngineQuery(request: request)
            return try EngineResponse.json(try api.service(try reference(context), insertDefaults: query.bool("insertDefaults")))
        }
        router.post("/services/create") { request, _ in
            let spec = try await EngineResponse.decode(EngineServiceSpec.self, from: request)
            let auth = request.headers[.registryAuth]
            let id = try await api.offload { try api.createService(spec, registryAuth: auth) }
            return try EngineResponse.json(CreatedID(id: id), status: .created)
        }
        router.post("/services/:ref/update") { request, context in
            let query = EngineQuery(request: request)
            let spec = try await EngineResponse.decode(EngineServiceSpec.self, from: request)
            let (ref, version, rollback, auth) = (try reference(context), try query.version(), query["rollback"], request.headers[.registryAuth])
            try await api.offload {
                try api.updateService(ref, version: version, spec: spec, rollback: rollback, registryAuth: auth)
            }
            return try EngineResponse.json(UpdateWarnings())
        }
        router.delete("/services/:ref") { _, context in
            let ref = try reference(context)
            try await api.offload { try api.removeService(ref) }
            return EngineResponse.empty()
        }
    }

    static func addTasks(to router: Router<Context>, api: EngineAPI) {
        router.get("/tasks") { request, _ in
            try EngineResponse.json(try api.tasks(filters: try EngineQuery(request: request).filters()))
        }
        router.get("/tasks/:ref") { _, context in
            try EngineResponse.json(try api.task(try reference(context)))
        }
    }
}
