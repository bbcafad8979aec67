#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

/// Signs requests with AWS Signature Version 4 (header form): canonical request, string to
/// sign, a signing key derived from the secret per day, region and service, and the
/// Authorization header that carries the result.
public struct SigV4Signer: Sendable {
    public let credentials: SigV4Credentials
    public let region: String
    public let service: String
    /// S3 signs the path as it is sent; every other service normalises it (dot segments and
    /// repeated slashes removed) and encodes it once more.
    public let isS3: Bool

    /// The payload hash S3 accepts when the body is not hashed.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of no bytes: the hash of every request without a body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public init(credentials: SigV4Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.isS3 = service == "s3"
    }

    /// The intermediate values and the header, for tests and for debugging a refused request.
    public struct Signature: Sendable, Equatable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
        public let authorization: String
    }

    /// The headers to add to `request`: `X-Amz-Date`, `X-Amz-Security-Token` for temporary
    /// credentials, and `Authorization`. `request.headers` must already hold `Host` and, for
    /// S3, `x-amz-content-sha256` (which must equal `payloadHash`).
    public func signedHeaders(for request: SigV4Request, payloadHash: String, date: Date) -> [(name: String, value: String)] {
        var added: [(name: String, value: String)] = [("X-Amz-Date", Self.timestamp(date))]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        var complete = request
        complete.headers += added
        let result = signature(for: complete, payloadHash: payloadHash, date: date)
        return added + [("Authorization", result.authorization)]
    }

    /// Signs `request` as it is (its headers must already hold `X-Amz-Date` or `Date`, and
    /// the token when there is one).
    public func signature(for request: SigV4Request, payloadHash: String, date: Date) -> Signature {
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let (canonicalHeaders, signedNames) = Self.canonicalHeaders(request.headers)
        let canonicalRequest = [
            request.method,
            canonicalPath(request.path),
            Self.canonicalQuery(request.query),
            canonicalHeaders,
            signedNames,
            payloadHash,
        ].joined(separator: "\n")
        let stringToSign = [
            "AWS4-HMAC-SHA256", stamp, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: day)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, authorization: authorization)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")
    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    func canonicalPath(_ path: String) -> String {
        let path = path.isEmpty ? "/" : path
        guard !isS3 else { return path }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let trailing = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        return "/" + segments.map { SigV4URIEncoding.encode(String($0)) }.joined(separator: "/") + trailing
    }

    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map {
            (SigV4URIEncoding.encode($0.name), SigV4URIEncoding.encode($0.value))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// Lower-case names, sorted; values trimmed with inner runs of spaces made one; a name
    /// sent more than once has its values joined by commas in the order sent.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (String, String) {
        var values: [String: [String]] = [:]
        for header in headers {
            values[header.name.lowercased(), default: []].append(trimmed(header.value))
        }
        let names = values.keys.sorted()
        let lines = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        return (lines, names.joined(separator: ";"))
    }

    static func trimmed(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out += " " }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// ISO 8601 basic format in UTC: 20150830T123600Z.
    public static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lower-case hex SHA-256 of a payload, for `x-amz-content-sha256`.
    public static func payloadHash<D: DataProtocol>(_ data: D) -> String {
        hex(SHA256.hash(data: data))
    }
}
