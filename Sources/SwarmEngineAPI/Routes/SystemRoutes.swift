import HTTPTypes
import Hummingbird

extension EngineRoutes {
    static func addSystem(to router: Router<Context>, api: EngineAPI) {
        router.head("/_ping") { _, _ in ping(api, body: false) }
        router.get("/_ping") { _, _ in ping(api, body: true) }
        router.get("/version") { _, _ in try EngineResponse.json(api.version()) }
        router.get("/info") { _, _ in try EngineResponse.json(try api.info()) }
        // `service create` asks for the image's digest to pin it. Without registry access the
        // answer is an error, which the CLI reports as a warning and carries on.
        router.get("/distribution/**") { _, _ -> Response in
            throw EngineError(.notImplemented, "swarmsafe does not contact registries: images are used as given")
        }
    }

    /// The headers every docker command starts with. A HEAD answer has no body: one would be
    /// read as the start of the next response on the kept-alive connection.
    static func ping(_ api: EngineAPI, body: Bool) -> Response {
        var headers = pingHeaders(swarm: api.swarmHeader)
        headers[.contentType] = "text/plain; charset=utf-8"
        guard body else {
            headers[.contentLength] = "0"
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "OK")))
    }

    public static func pingHeaders(swarm: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name.apiVersion] = EngineAPIVersion.current
        headers[HTTPField.Name.ostype] = "linux"
        headers[HTTPField.Name.dockerExperimental] = "false"
        headers[HTTPField.Name.swarm] = swarm
        headers[.cacheControl] = "no-cache, no-store, must-revalidate"
        headers[HTTPField.Name.pragma] = "no-cache"
        return headers
    }
}

extension HTTPField.Name {
    // Literal, valid header names: the initializer only fails on invalid characters.
    static let apiVersion = HTTPField.Name("Api-Version") ?? .server
    static let ostype = HTTPField.Name("Ostype") ?? .server
    static let dockerExperimental = HTTPField.Name("Docker-Experimental") ?? .server
    static let swarm = HTTPField.Name("Swarm") ?? .server
    static let pragma = HTTPField.Name("Pragma") ?? .server
    static let registryAuth = HTTPField.Name("X-Registry-Auth") ?? .server
}
