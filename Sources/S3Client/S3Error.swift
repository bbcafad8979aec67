/// Why a request to S3 failed. Each description is one line naming the object or bucket and
/// saying what to do; none of them ever holds a secret.
public enum S3Error: Error, Sendable, CustomStringConvertible, Equatable {
    case invalidLocation(String, reason: String)
    case invalidEndpoint(String, reason: String)
    /// No access key in the environment, the credentials file or the config file.
    case noCredentials(searched: [String])
    case credentialsFile(path: String, reason: String)
    case caFile(path: String, reason: String)
    /// 403: the key is unknown, the signature does not match, or the policy refuses.
    case accessDenied(location: String, code: String, message: String)
    case noSuchBucket(bucket: String)
    case noSuchKey(location: String)
    /// The bucket lives in another region than the one signed for.
    case wrongRegion(bucket: String, used: String, expected: String?)
    /// A conditional request was refused: the object exists (If-None-Match) or changed.
    case preconditionFailed(location: String)
    /// Any other answer the server gave, after the retries allowed for it.
    case server(location: String, status: Int, code: String?, message: String?, attempts: Int)
    /// The connection failed or dropped, after the retries allowed for it.
    case transport(location: String, reason: String, attempts: Int)
    /// The TLS handshake failed: an untrusted or wrong certificate is not a passing fault.
    case tls(location: String, reason: String)
    /// The server's answer did not parse as what S3 sends.
    case malformedResponse(location: String, reason: String)

    public var description: String {
        switch self {
        case .invalidLocation(let text, let reason):
            "\(text): not an S3 location: \(reason)"
        case .invalidEndpoint(let text, let reason):
            "\(text): not a usable S3 endpoint: \(reason)"
        case .noCredentials(let searched):
            "no AWS credentials found (looked in \(searched.joined(separator: ", "))); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile in ~/.aws/credentials"
        case .credentialsFile(let path, let reason):
            "\(path): \(reason)"
        case .caFile(let path, let reason):
            "\(path): cannot use as CA file: \(reason)"
        case .accessDenied(let location, let code, let message):
            "\(location): access denied (\(code): \(message)); check the access key, its secret and the bucket policy"
        case .noSuchBucket(let bucket):
            "s3://\(bucket): no such bucket (check the name, the endpoint and the region)"
        case .noSuchKey(let location):
            "\(location): no such object"
        case .wrongRegion(let bucket, let used, let expected):
            if let expected {
                "s3://\(bucket): the bucket is in region \(expected), not \(used); pass --s3-region \(expected)"
            } else {
                "s3://\(bucket): the bucket is not in region \(used); pass --s3-region with the bucket's region"
            }
        case .preconditionFailed(let location):
            "\(location): already exists (a conditional write was refused)"
        case .server(let location, let status, let code, let message, let attempts):
            "\(location): the server answered HTTP \(status)" + (code.map { " \($0)" } ?? "")
                + (message.map { ": \($0)" } ?? "") + (attempts > 1 ? " (after \(attempts) attempts)" : "")
        case .transport(let location, let reason, let attempts):
            "\(location): \(reason)" + (attempts > 1 ? " (after \(attempts) attempts)" : "")
        case .tls(let location, let reason):
            "\(location): TLS handshake failed (\(reason)); if the server's certificate comes from a private CA, pass --s3-ca-file with that CA"
        case .malformedResponse(let location, let reason):
            "\(location): unexpected answer from the server: \(reason)"
        }
    }

    /// The same failure, saying how many attempts were made.
    func counting(_ attempts: Int) -> S3Error {
        switch self {
        case .server(let location, let status, let code, let message, _):
            .server(location: location, status: status, code: code, message: message, attempts: attempts)
        case .transport(let location, let reason, _): .transport(location: location, reason: reason, attempts: attempts)
        default: self
        }
    }

    /// Worth another attempt: the server may answer differently in a moment.
    var isTransient: Bool {
        switch self {
        case .transport: true
        case .server(_, let status, let code, _, _):
            status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout"
        default: false
        }
    }
}
