#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SigV4

/// An object as a listing or a HEAD request describes it.
public struct S3ObjectInfo: Sendable, Equatable {
    public let location: S3Location
    public let size: Int64
    public let etag: String
}

/// An upload begun and neither completed nor aborted.
public struct S3PendingUpload: Sendable, Equatable {
    public let location: S3Location
    public let uploadID: String
}

/// A blocking S3-protocol client: every call signs its request (SigV4), sends it, retries
/// it with doubling pauses when the server or the connection fails transiently, and turns
/// S3's error answers into `S3Error`. Blocking, because the commands that use it are plain
/// sequential programs; the network work runs on NIO's event loops underneath.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    private let http: HTTPClient
    private let logger: Logger
    private let signer: SigV4Signer

    public init(configuration: S3Configuration, logger: Logger = Logger(label: "swarmsafe.s3")) throws(S3Error) {
        self.configuration = configuration
        self.logger = logger
        signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3")
        var tls = TLSConfiguration.makeClientConfiguration()
        // Only a TLS endpoint uses the CA file: parsing a bundle of a hundred certificates
        // for plain HTTP would cost memory (2.5 MiB) and time for nothing.
        if let caFile = configuration.caFile, configuration.endpoint.scheme == "https" {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw .caFile(path: caFile, reason: "\(error)")
            }
        }
        let timeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.components.seconds) * 1_000_000_000)
        var settings = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: .seconds(10), read: timeout))
        // Our own loop retries, with backoff and a log line; the pool's silent retries of a
        // failing connection until its timeout would hide a refused handshake for 10 s a try.
        settings.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    }

    deinit {
        // Never on an event loop: the client is only used from blocking callers.
        try? http.syncShutdown()
    }

    // MARK: objects

    /// Stores `body` under `location`. With `ifNoneMatch`, only when no object has that key
    /// (S3's conditional write); `.preconditionFailed` otherwise. Returns the ETag.
    @discardableResult
    public func put(_ location: S3Location, body: [UInt8], ifNoneMatch: Bool = false, contentType: String? = nil) throws(S3Error) -> String {
        var headers: [(String, String)] = [("Content-Length", "\(body.count)")]
        if ifNoneMatch { headers.append(("If-None-Match", "*")) }
        if let contentType { headers.append(("Content-Type", contentType)) }
        let response = try perform(.PUT, location, headers: headers, body: ByteBuffer(bytes: body))
        return response.etag
    }

    /// The object's bytes, read whole: for small objects (the lock). Archives are read with
    /// `S3ObjectReader`, streamed.
    public func get(_ location: S3Location) throws(S3Error) -> [UInt8] {
        Array(try perform(.GET, location).body.readableBytesView)
    }

    /// An object's body from byte `offset` on, streamed: returns once the server has answered
    /// with success, the body still arriving. No deadline for the whole transfer, which may be
    /// long: the connect timeout and the read timeout between bytes bound it instead.
    func openStream(_ location: S3Location, from offset: Int64 = 0, ifMatch: String? = nil) throws(S3Error) -> (S3ResponseStream, HTTPHeaders) {
        var headers: [(String, String)] = []
        if offset > 0 { headers.append(("Range", "bytes=\(offset)-")) }
        if let ifMatch { headers.append(("If-Match", ifMatch)) }
        return try retrying(.GET, location) { () throws(S3Error) in
            let request = try signedRequest(.GET, location, headers: headers, named: location)
            let stream = S3ResponseStream()
            let head: HTTPResponseHead
            do {
                stream.start(http.execute(request: request, delegate: stream))
                head = try stream.waitForHead()
            } catch {
                stream.cancel()
                throw transportFailure(error, named: location)
            }
            let status = Int(head.status.code)
            guard (200..<300).contains(status) else {
                // An error answer is a short XML document: read it whole to say what it was.
                var answer: [UInt8] = []
                while let part = try? stream.next(), answer.count < 1 << 16 { answer += part.readableBytesView }
                stream.cancel()
                throw Self.error(
                    status: status, root: S3XMLElement.parse(answer), headers: head.headers, location: location, method: .GET,
                    attempts: 1, region: configuration.region)
            }
            return (stream, head.headers)
        }
    }

    /// Size and ETag of an object; nil when there is none.
    public func head(_ location: S3Location) throws(S3Error) -> S3ObjectInfo? {
        do {
            let response = try perform(.HEAD, location)
            return S3ObjectInfo(
                location: location, size: Int64(response.headers.first(name: "Content-Length") ?? "") ?? 0,
                etag: response.etag)
        } catch .noSuchKey {
            return nil
        }
    }

    /// Deletes an object; deleting one that does not exist succeeds, as in S3.
    public func delete(_ location: S3Location) throws(S3Error) {
        _ = try perform(.DELETE, location)
    }

    /// Every object whose key starts with `prefix.key`, not below a further '/' when
    /// `delimited` (the "folder" itself), in key order, following continuation tokens.
    public func list(_ prefix: S3Location, delimited: Bool = true) throws(S3Error) -> [S3ObjectInfo] {
        var found: [S3ObjectInfo] = []
        var token: String?
        repeat {
            var query: [(String, String)] = [("list-type", "2"), ("prefix", prefix.key)]
            if delimited { query.append(("delimiter", "/")) }
            if let token { query.append(("continuation-token", token)) }
            let bucket = S3Location(bucket: prefix.bucket, key: "")
            let response = try perform(.GET, bucket, query: query, describing: prefix)
            guard let root = S3XMLElement.parse(response.bytes), root.name == "ListBucketResult" else {
                throw .malformedResponse(location: prefix.description, reason: "a listing that is not a ListBucketResult")
            }
            for entry in root.all("Contents") {
                guard let key = entry.value("Key") else { continue }
                found.append(S3ObjectInfo(
                    location: S3Location(bucket: prefix.bucket, key: key), size: Int64(entry.value("Size") ?? "") ?? 0,
                    etag: entry.value("ETag") ?? ""))
            }
            token = root.value("IsTruncated") == "true" ? root.value("NextContinuationToken") : nil
        } while token != nil
        return found
    }

    /// A server-side copy. With `ifNoneMatch`, S3 refuses it when `destination` exists.
    public func copy(_ source: S3Location, to destination: S3Location) throws(S3Error) {
        let copySource = "/\(source.bucket)/\(SigV4URIEncoding.encode(source.key, keepSlash: true))"
        let response = try perform(.PUT, destination, headers: [("x-amz-copy-source", copySource), ("Content-Length", "0")])
        // S3 may answer 200 and still fail the copy, with an Error document as the body.
        if let root = S3XMLElement.parse(response.bytes), root.name == "Error" {
            throw Self.error(status: 500, root: root, headers: response.headers, location: destination, method: .PUT, attempts: 1)
        }
    }

    // MARK: multipart uploads

    public func createMultipartUpload(_ location: S3Location) throws(S3Error) -> String {
        let response = try perform(.POST, location, query: [("uploads", "")], headers: [("Content-Length", "0")])
        guard let root = S3XMLElement.parse(response.bytes), let id = root.value("UploadId"), !id.isEmpty else {
            throw .malformedResponse(location: location.description, reason: "no UploadId in the answer to CreateMultipartUpload")
        }
        return id
    }

    /// Uploads part `number` (from 1); returns its ETag, which completion needs. `payloadHash`
    /// is the body's SHA-256 (hex) when the caller already has it.
    public func uploadPart(_ location: S3Location, uploadID: String, number: Int, body: ByteBuffer, payloadHash: String? = nil) throws(S3Error) -> String {
        let response = try perform(
            .PUT, location, query: [("partNumber", "\(number)"), ("uploadId", uploadID)],
            headers: [("Content-Length", "\(body.readableBytes)")], body: body, payloadHash: payloadHash)
        guard !response.etag.isEmpty else {
            throw .malformedResponse(location: location.description, reason: "no ETag for part \(number)")
        }
        return response.etag
    }

    /// Assembles the parts into the object; only now does it exist under its key.
    public func completeMultipartUpload(_ location: S3Location, uploadID: String, parts: [String]) throws(S3Error) {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in parts.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(S3XMLElement.escape(etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = Array(xml.utf8)
        let response = try perform(
            .POST, location, query: [("uploadId", uploadID)], headers: [("Content-Length", "\(body.count)")],
            body: ByteBuffer(bytes: body))
        if let root = S3XMLElement.parse(response.bytes), root.name == "Error" {
            throw Self.error(status: 500, root: root, headers: response.headers, location: location, method: .POST, attempts: 1)
        }
    }

    public func abortMultipartUpload(_ location: S3Location, uploadID: String) throws(S3Error) {
        _ = try perform(.DELETE, location, query: [("uploadId", uploadID)])
    }

    /// Uploads begun under `prefix.key` and never completed or aborted.
    public func pendingUploads(_ prefix: S3Location) throws(S3Error) -> [S3PendingUpload] {
        var found: [S3PendingUpload] = []
        var markers: (key: String, id: String)?
        repeat {
            var query: [(String, String)] = [("uploads", ""), ("prefix", prefix.key)]
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.id)] }
            let response = try perform(.GET, S3Location(bucket: prefix.bucket, key: ""), query: query, describing: prefix)
            guard let root = S3XMLElement.parse(response.bytes), root.name == "ListMultipartUploadsResult" else {
                throw .malformedResponse(location: prefix.description, reason: "not a ListMultipartUploadsResult")
            }
            for upload in root.all("Upload") {
                guard let key = upload.value("Key"), let id = upload.value("UploadId") else { continue }
                found.append(S3PendingUpload(location: S3Location(bucket: prefix.bucket, key: key), uploadID: id))
            }
            if root.value("IsTruncated") == "true", let key = root.value("NextKeyMarker"), let id = root.value("NextUploadIdMarker") {
                markers = (key, id)
            } else {
                markers = nil
            }
        } while markers != nil
        return found
    }

    // MARK: requests

    struct Response {
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer

        var etag: String { headers.first(name: "ETag") ?? "" }
        var bytes: [UInt8] { Array(body.readableBytesView) }
    }

    /// Sends one request, tried up to `configuration.attempts` times while the failure is
    /// transient. `describing` names the object in errors when the request goes to the bucket.
    func perform(
        _ method: HTTPMethod, _ location: S3Location, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        body: ByteBuffer? = nil, payloadHash knownHash: String? = nil, describing: S3Location? = nil
    ) throws(S3Error) -> Response {
        let named = describing ?? location
        let payloadHash = knownHash ?? body.map { $0.withUnsafeReadableBytes { SigV4Signer.payloadHash($0) } } ?? SigV4Signer.emptyPayloadHash
        return try retrying(method, named) { () throws(S3Error) in
            let request = try signedRequest(method, location, query: query, headers: extra, body: body, payloadHash: payloadHash, named: named)
            let response: HTTPClient.Response
            do {
                response = try http.execute(request: request, deadline: .now() + .seconds(configuration.requestTimeout.components.seconds)).wait()
            } catch {
                throw transportFailure(error, named: named)
            }
            let answer = response.body ?? ByteBuffer()
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                throw Self.error(
                    status: status, root: S3XMLElement.parse(Array(answer.readableBytesView)), headers: response.headers, location: named,
                    method: method, attempts: 1, region: configuration.region)
            }
            return Response(status: status, headers: response.headers, body: answer)
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or `configuration.attempts` are
    /// spent; the error thrown carries the number of attempts made.
    func retrying<Value>(_ method: HTTPMethod, _ named: S3Location, _ attempt: () throws(S3Error) -> Value) throws(S3Error) -> Value {
        var attempts = 0
        var pause = configuration.backoff
        while true {
            attempts += 1
            do {
                return try attempt()
            } catch {
                let failure = error.counting(attempts)
                guard failure.isTransient, attempts < configuration.attempts else { throw failure }
                logger.notice(
                    "S3 request failed, trying again", metadata: ["request": "\(method.rawValue) \(named)", "error": "\(failure)"])
                Self.sleep(pause)
                pause = pause * 2
            }
        }
    }

    /// The request, signed now (a signature is only valid for some minutes, so every attempt
    /// signs anew).
    func signedRequest(
        _ method: HTTPMethod, _ location: S3Location, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        body: ByteBuffer? = nil, payloadHash: String = SigV4Signer.emptyPayloadHash, named: S3Location
    ) throws(S3Error) -> HTTPClient.Request {
        let (host, path) = address(of: location)
        let queryString = query.map { "\(SigV4URIEncoding.encode($0.0))=\(SigV4URIEncoding.encode($0.1))" }.joined(separator: "&")
        let urlText = "\(configuration.endpoint.scheme)://\(configuration.endpoint.hostHeader(host))\(path)"
            + (queryString.isEmpty ? "" : "?" + queryString)
        guard let url = URL(string: urlText) else {
            throw .invalidLocation(named.description, reason: "cannot be made into a request URL")
        }
        var headers: [(name: String, value: String)] = [
            ("Host", configuration.endpoint.hostHeader(host)), ("x-amz-content-sha256", payloadHash),
        ]
        headers += extra.map { (name: $0.0, value: $0.1) }
        let signable = SigV4Request(method: method.rawValue, path: path, query: query.map { (name: $0.0, value: $0.1) }, headers: headers)
        headers += signer.signedHeaders(for: signable, payloadHash: payloadHash, date: Date())
        do {
            return try HTTPClient.Request(
                url: url, method: method, headers: HTTPHeaders(headers.map { ($0.name, $0.value) }), body: body.map { .byteBuffer($0) })
        } catch {
            throw transportFailure(error, named: named)
        }
    }

    /// A failure to exchange a request at all, as an `S3Error`.
    func transportFailure(_ error: any Error, named: S3Location) -> S3Error {
        switch error {
        case let error as S3Error: error
        case let error as HTTPClientError:
            .transport(location: named.description, reason: Self.describe(error, endpoint: configuration.endpoint), attempts: 1)
        case let error as NIOSSLError: .tls(location: named.description, reason: Self.describe(error))
        default: .transport(location: named.description, reason: "\(error)", attempts: 1)
        }
    }

    /// Host and encoded path for `location`: the bucket in the path (path style) or in the
    /// host name (virtual-hosted style).
    func address(of location: S3Location) -> (host: String, path: String) {
        let key = SigV4URIEncoding.encode(location.key, keepSlash: true)
        if configuration.pathStyle {
            return (configuration.endpoint.host, "/\(location.bucket)" + (location.key.isEmpty ? "" : "/\(key)"))
        }
        return ("\(location.bucket).\(configuration.endpoint.host)", "/\(key)")
    }

    static func error(
        status: Int, root: S3XMLElement?, headers: HTTPHeaders, location: S3Location, method: HTTPMethod, attempts: Int,
        region: String = ""
    ) -> S3Error {
        let code = root?.value("Code")
        let message = root?.value("Message")
        let expectedRegion = headers.first(name: "x-amz-bucket-region") ?? root?.value("Region")
        switch (status, code) {
        case (301, _), (_, "PermanentRedirect"), (_, "IllegalLocationConstraintException"):
            return .wrongRegion(bucket: location.bucket, used: region, expected: expectedRegion)
        // A malformed authorization header means the wrong region only when the server says
        // which one is right; otherwise it is some other signing problem.
        case (_, "AuthorizationHeaderMalformed") where expectedRegion != nil:
            return .wrongRegion(bucket: location.bucket, used: region, expected: expectedRegion)
        case (_, "NoSuchBucket"):
            return .noSuchBucket(bucket: location.bucket)
        case (_, "NoSuchKey"):
            return .noSuchKey(location: location.description)
        case (404, nil) where method == .HEAD:
            return .noSuchKey(location: location.description)
        case (403, _), (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"), (_, "AccessDenied"):
            return .accessDenied(location: location.description, code: code ?? "AccessDenied", message: message ?? "HTTP 403")
        case (412, _):
            return .preconditionFailed(location: location.description)
        default:
            return .server(location: location.description, status: status, code: code, message: message, attempts: attempts)
        }
    }

    static func describe(_ error: HTTPClientError, endpoint: S3Endpoint) -> String {
        switch error {
        case .remoteConnectionClosed: "the server \(endpoint) closed the connection before answering"
        case .readTimeout, .deadlineExceeded: "the server \(endpoint) did not answer in time"
        case .connectTimeout: "cannot connect to \(endpoint): timed out"
        default: "cannot talk to \(endpoint): \(error)"
        }
    }

    /// BoringSSL's reason without its source location: "CERTIFICATE_VERIFY_FAILED".
    static func describe(_ error: NIOSSLError) -> String {
        let text = "\(error)"
        for reason in ["CERTIFICATE_VERIFY_FAILED", "WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL"] where text.contains(reason) {
            return reason == "CERTIFICATE_VERIFY_FAILED" ? "the server's certificate is not trusted: \(reason)" : reason
        }
        return text
    }

    static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
    }
}
