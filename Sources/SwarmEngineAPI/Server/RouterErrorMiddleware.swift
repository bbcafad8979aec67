import Hummingbird

/// The router answers an unknown path with its own empty 404; the docker CLI expects
/// `{"message": …}` there too, so the router's errors become Engine API errors.
struct RouterErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let message = error.status == .notFound ? "page not found" : (error.body ?? error.status.reasonPhrase)
            throw EngineError(error.status, message)
        }
    }
}
