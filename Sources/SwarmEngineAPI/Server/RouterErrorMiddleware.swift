import Hummingbird

/// The router answers an unknown path with its own empty 404. A client of the embedded
/// manager that gets there asked for something it does not serve — mostly what only an
/// engine has (containers, images, logs) — and is told so, naming the endpoint, with 501:
/// "page not found" would read as a broken daemon or a typo.
struct RouterErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            guard error.status == .notFound || error.status == .methodNotAllowed else {
                throw EngineError(error.status, error.body ?? error.status.reasonPhrase)
            }
            throw EngineError.unserved(method: request.method.rawValue, path: request.uri.path)
        }
    }
}

extension EngineError {
    /// The answer for an endpoint the embedded manager does not serve.
    static func unserved(method: String, path: String) -> EngineError {
        let endpoint = "\(method) \(VersionPrefix.strip(path))"
        return EngineError(
            .notImplemented,
            "swarmsafe's embedded manager does not serve \(endpoint): it serves the swarm's state "
                + "(swarm, nodes, services, tasks, secrets, configs, networks) and runs no containers")
    }
}
