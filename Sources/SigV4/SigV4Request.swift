/// The parts of an HTTP request that SigV4 signs, as they will be sent.
public struct SigV4Request: Sendable, Equatable {
    public var method: String
    /// The path exactly as it goes on the request line: already percent-encoded, without the
    /// query. SigV4 encodes each segment once more, except for S3, which signs it as sent.
    public var path: String
    /// Decoded query parameters, in any order, repeated names allowed.
    public var query: [(name: String, value: String)]
    /// Header names and values as sent; repeated names allowed.
    public var headers: [(name: String, value: String)]

    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    public static func == (a: SigV4Request, b: SigV4Request) -> Bool {
        a.method == b.method && a.path == b.path && a.query.elementsEqual(b.query, by: ==)
            && a.headers.elementsEqual(b.headers, by: ==)
    }
}
