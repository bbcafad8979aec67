import Hummingbird

/// The router behind Docker's URL conventions: any `/v1.NN` prefix is dropped (the CLI sends
/// the negotiated version on every call), and every error becomes `{"message": …}` with the
/// status Docker would give.
public struct EngineResponder<Inner: HTTPResponder>: HTTPResponder {
    public typealias Context = Inner.Context
    let inner: Inner

    public init(_ inner: Inner) {
        self.inner = inner
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        var head = request.head
        head.path = head.path.map(VersionPrefix.strip)
        do {
            return try await inner.respond(to: Request(head: head, body: request.body), context: context)
        } catch {
            return EngineResponse.error(EngineError(mapping: error))
        }
    }
}
