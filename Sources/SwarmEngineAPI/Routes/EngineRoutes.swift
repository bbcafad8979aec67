import Hummingbird

/// Every Engine API route, registered on one router. Handlers parse the request, call
/// `EngineAPI`, and encode its answer; errors are turned into Docker's error body by
/// `EngineResponder`, which wraps this router.
public enum EngineRoutes {
    public typealias Context = BasicRequestContext

    public static func router(api: EngineAPI) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: RouterErrorMiddleware())
        addSystem(to: router, api: api)
        addSwarm(to: router, api: api)
        addNodes(to: router, api: api)
        addServices(to: router, api: api)
        addTasks(to: router, api: api)
        addSecrets(to: router, api: api)
        addConfigs(to: router, api: api)
        addNetworks(to: router, api: api)
        return router
    }

    /// The `:ref` path parameter: an ID, an ID prefix or a name.
    static func reference(_ context: Context) throws -> String {
        guard let value = context.parameters.get("ref"), !value.isEmpty else {
            throw EngineError.badRequest("missing object reference in the path")
        }
        return value
    }
}

/// `{"ID": …}` of a create.
struct CreatedID: Encodable {
    let id: String
    enum CodingKeys: String, CodingKey { case id = "ID" }
}

/// `{"Warnings": […]}` of an update; the embedded manager has none to give.
struct UpdateWarnings: Encodable {
    var warnings: [String] = []
    enum CodingKeys: String, CodingKey { case warnings = "Warnings" }
}
