import Foundation
import SigV4

/// Where and how to reach S3, resolved the way the AWS CLI resolves it: explicit options
/// first, then the environment, then the profile in `~/.aws/config` and `~/.aws/credentials`.
public struct S3Configuration: Sendable {
    /// scheme://host[:port] of the service; virtual-hosted requests put the bucket in front.
    public let endpoint: S3Endpoint
    public let region: String
    public let pathStyle: Bool
    public let credentials: SigV4Credentials
    /// PEM file of CA certificates to trust instead of the system's.
    public let caFile: String?
    /// How many times a request is tried when the server or the connection fails transiently.
    public var attempts: Int = 5
    /// The first pause between attempts; it doubles each time.
    public var backoff: Duration = .milliseconds(200)
    /// How long one request may take, connection included.
    public var requestTimeout: Duration = .seconds(120)

    public init(endpoint: S3Endpoint, region: String, pathStyle: Bool, credentials: SigV4Credentials, caFile: String? = nil) {
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
        self.credentials = credentials
        self.caFile = caFile
    }

    /// What the user gave on the command line; nil means "not given".
    public struct Overrides: Sendable {
        public var endpoint: String?
        public var region: String?
        public var pathStyle: Bool?
        public var caFile: String?
        public var profile: String?

        public init(endpoint: String? = nil, region: String? = nil, pathStyle: Bool? = nil, caFile: String? = nil, profile: String? = nil) {
            self.endpoint = endpoint
            self.region = region
            self.pathStyle = pathStyle
            self.caFile = caFile
            self.profile = profile
        }
    }

    /// Resolves options, environment and profile files. `environment` and `home` are
    /// injected so tests never read the real ones.
    public static func resolve(
        _ overrides: Overrides, environment: [String: String] = ProcessInfo.processInfo.environment,
        home: String = NSHomeDirectory()
    ) throws(S3Error) -> S3Configuration {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let profile = overrides.profile ?? env("AWS_PROFILE") ?? env("AWS_DEFAULT_PROFILE") ?? "default"
        let credentialsPath = env("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials"
        let configPath = env("AWS_CONFIG_FILE") ?? home + "/.aws/config"
        let config = try AWSProfileFile.load(configPath)?.configProfile(profile) ?? [:]

        let credentials: SigV4Credentials
        // As the AWS CLI: keys in the environment win unless a profile was named explicitly.
        if overrides.profile == nil, let id = env("AWS_ACCESS_KEY_ID"), let secret = env("AWS_SECRET_ACCESS_KEY") {
            credentials = SigV4Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: env("AWS_SESSION_TOKEN"))
        } else if let found = try profileCredentials(profile, credentialsPath: credentialsPath, config: config) {
            credentials = found
        } else {
            throw .noCredentials(searched: [
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", "\(credentialsPath) [\(profile)]", "\(configPath) [profile \(profile)]",
            ])
        }

        let region = overrides.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? config["region"] ?? "us-east-1"
        let endpointText = overrides.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL") ?? config["endpoint_url"]
        let endpoint = try endpointText.map { text throws(S3Error) in try S3Endpoint(parsing: text) } ?? S3Endpoint.aws(region: region)
        // Path style is chosen by itself where virtual hosts cannot work: an IP address or
        // localhost has no subdomains (the AWS CLI decides the same way).
        let pathStyle = overrides.pathStyle ?? (config["addressing_style"] == "path" ? true : endpoint.needsPathStyle)
        let caFile = overrides.caFile ?? env("AWS_CA_BUNDLE")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw .caFile(path: caFile, reason: "does not exist or cannot be read")
        }
        return S3Configuration(endpoint: endpoint, region: region, pathStyle: pathStyle, credentials: credentials, caFile: caFile)
    }

    private static func profileCredentials(
        _ profile: String, credentialsPath: String, config: [String: String]
    ) throws(S3Error) -> SigV4Credentials? {
        let sources = [try AWSProfileFile.load(credentialsPath)?.credentialsProfile(profile), config]
        for values in sources.compactMap({ $0 }) {
            if let id = values["aws_access_key_id"], let secret = values["aws_secret_access_key"], !id.isEmpty, !secret.isEmpty {
                return SigV4Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: values["aws_session_token"])
            }
        }
        return nil
    }
}

/// The scheme, host and port requests go to.
public struct S3Endpoint: Sendable, Equatable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int?

    public init(scheme: String, host: String, port: Int?) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(S3Error) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw .invalidEndpoint(text, reason: "expected http://HOST[:PORT] or https://HOST[:PORT]")
        }
        guard scheme == "http" || scheme == "https" else {
            throw .invalidEndpoint(text, reason: "the scheme must be http or https")
        }
        guard url.path.isEmpty || url.path == "/" else {
            throw .invalidEndpoint(text, reason: "an endpoint has no path; put the bucket in s3://BUCKET")
        }
        self.init(scheme: scheme, host: host, port: url.port)
    }

    /// AWS's own regional endpoint.
    public static func aws(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "s3.\(region).amazonaws.com", port: nil)
    }

    /// An IP address or localhost: no bucket subdomains exist there.
    public var needsPathStyle: Bool {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare.hasSuffix(".localhost") || bare.contains(":") { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The Host header for `host` (default ports left out, as HTTP clients send it).
    func hostHeader(_ host: String) -> String {
        guard let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) else { return host }
        return "\(host):\(port)"
    }

    public var description: String { "\(scheme)://\(hostHeader(host))" }
}
