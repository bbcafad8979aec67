import Foundation
import Hummingbird
import StreamingJSON

/// Turning answers into HTTP responses, and request bodies into values.
enum EngineResponse {
    static let jsonContentType = "application/json"

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        // Members in Go's field order, unsorted: the CLI doesn't care, and sorting every
        // object's keys was a third of `docker service ls` on a 3000-service swarm.
        var bytes = try StreamingJSONEncoder().encodeBytes(value)
        bytes.append(0x0A)
        return Response(
            status: status, headers: [.contentType: jsonContentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A body already encoded (see `RenderCache`), sent as it is kept.
    static func rawJSON(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: jsonContentType], body: ResponseBody(byteBuffer: body))
    }

    /// Docker's error body. The CLI prints `message`.
    static func error(_ error: EngineError) -> Response {
        let body = (try? JSONEncoder().encode(["message": error.message])) ?? Data("{}".utf8)
        return Response(
            status: error.status, headers: [.contentType: jsonContentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body + [0x0A])))
    }

    /// Success with nothing to say (DELETE, node update, unlock).
    static func empty(_ status: HTTPResponse.Status = .ok) -> Response {
        // A 204 carries no Content-Length; any other empty answer says 0 so the connection
        // is not held open waiting for a body.
        Response(status: status, headers: status == .noContent ? [:] : [.contentLength: "0"], body: ResponseBody())
    }

    static let maxBodySize = 16 << 20
    static let emptyBody = EngineError.badRequest("request body is empty")

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: maxBodySize)
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else { throw emptyBody }
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// Query parameters as Docker reads them.
struct EngineQuery {
    let request: Request

    subscript(name: String) -> String? {
        request.uri.queryParameters[name[...]].map(String.init)
    }

    /// Docker's lenient flag reading: anything but empty, 0, no, false or none is true.
    func bool(_ name: String) -> Bool {
        let value = (self[name] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        return !["", "0", "no", "false", "none"].contains(value)
    }

    /// `?version=N` of an update; a value that is not a number is a bad request.
    func version() throws(EngineError) -> UInt64? {
        guard let raw = self["version"] else { return nil }
        guard let value = UInt64(raw) else { throw EngineError.badRequest("invalid version: \(raw)") }
        return value
    }

    func filters() throws(EngineError) -> EngineFilters {
        try EngineFilters(json: self["filters"])
    }
}
