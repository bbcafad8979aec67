import Foundation
import RealDocker

#if canImport(Glibc)
import Glibc
#endif

/// Why the S3 test server could not be used. A missing tool fails the test with its name and
/// the install step; nothing is skipped.
public enum S3TestServerError: Error, CustomStringConvertible {
    case toolMissing(String)
    case notAnswering(address: String, log: String)
    case command(String, status: Int32, output: String)

    public var description: String {
        switch self {
        case .toolMissing(let tool):
            "\(tool) not found on PATH: the S3 tests need moto's server and the AWS CLI (scripts/install-system-packages.sh installs both)"
        case .notAnswering(let address, let log): "moto_server on \(address) did not answer within 30 s; its log:\n\(log)"
        case .command(let command, let status, let output): "`\(command)` exited \(status): \(output)"
        }
    }
}

/// A real S3-protocol server (moto's server mode) on a loopback address of its own, for one
/// test: started bounded in time, stopped by pid. moto checks SigV4 signatures only once its
/// IAM accounting is on (`authenticated`), and then rejects any request whose query holds a
/// percent-encoded byte (it signs the decoded URL), whoever sent it — the AWS CLI included.
/// So the authenticated server is for credential checks, the other one for everything else.
public final class S3TestServer: @unchecked Sendable {
    public let host: String
    public let port: Int
    public let scheme: String
    public var endpoint: String { "\(scheme)://\(host):\(port)" }
    /// With `tls`: the PEM of the certificate authority that signed the server's certificate.
    public private(set) var caFile: String?
    public private(set) var accessKeyID = "testing"
    public private(set) var secretAccessKey = "testing-secret"
    private let process: Process
    private let logPath: String
    public let work: URL

    /// Starts the server; with `authenticated`, creates an IAM user whose keys are the only
    /// ones it accepts; with `tls`, serves HTTPS with a certificate for its address signed by a
    /// CA of the test's own (`caFile`). Parts down to 1 KiB are allowed so small fixtures need
    /// several.
    public init(authenticated: Bool = false, tls: Bool = false) throws {
        guard let moto = Self.which("moto_server") else { throw S3TestServerError.toolMissing("moto_server") }
        guard Self.which("aws") != nil else { throw S3TestServerError.toolMissing("aws") }
        let unique = UInt32(getpid()) &* 2_654_435_761 &+ UInt32.random(in: 0..<65_536)
        host = "127.102.\(1 + unique % 250).\(1 + (unique / 250) % 250)"
        port = 20_000 + Int.random(in: 0..<20_000)
        work = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-s3-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        logPath = work.appendingPathComponent("moto.log").path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        scheme = tls ? "https" : "http"
        process = Process()
        process.executableURL = URL(fileURLWithPath: moto)
        process.arguments = ["-H", host, "-p", "\(port)"]
        if tls {
            let (ca, certificate, key) = try Self.makeCertificates(for: host, in: work)
            caFile = ca
            process.arguments? += ["--ssl-cert", certificate, "--ssl-key", key]
        }
        var environment = ProcessInfo.processInfo.environment
        environment["S3_UPLOAD_PART_MIN_SIZE"] = "1024"
        // The first actions (user, key, policy) are free; every later one is checked.
        if authenticated { environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "3" }
        process.environment = environment
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        do {
            try waitUntilAnswering()
            if authenticated {
                (accessKeyID, secretAccessKey) = try Self.createUser(endpoint: "http://\(host):\(port)")
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// SIGKILL, and reaped: moto holds nothing worth a clean exit, and it inherits the test
    /// runner's signal mask, in which SIGTERM may be blocked.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: work)
    }

    /// The environment a client (ours or the AWS CLI) needs to reach this server, with no
    /// trace of the developer's own AWS settings (an empty value stands for unset).
    public var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": accessKeyID, "AWS_SECRET_ACCESS_KEY": secretAccessKey, "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_PROFILE": "",
            "AWS_SHARED_CREDENTIALS_FILE": work.appendingPathComponent("no-credentials").path,
            "AWS_CONFIG_FILE": work.appendingPathComponent("no-config").path, "AWS_SESSION_TOKEN": "",
            "AWS_CA_BUNDLE": "",
        ]
    }

    /// Runs the AWS CLI against this server (trusting its CA when it serves TLS); throws unless
    /// it succeeds.
    @discardableResult
    public func aws(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> String {
        var env = environment.merging(extraEnvironment) { $1 }
        if let caFile { env["AWS_CA_BUNDLE"] = caFile }
        let result = try Self.run("aws", arguments, environment: env)
        guard result.status == 0 else {
            throw S3TestServerError.command("aws " + arguments.joined(separator: " "), status: result.status, output: result.output)
        }
        return result.output
    }

    /// A new, empty bucket.
    public func makeBucket(_ name: String) throws {
        try aws(["s3", "mb", "s3://\(name)"])
    }

    /// Every key in `bucket`, as the AWS CLI lists them.
    public func keys(_ bucket: String) throws -> [String] {
        let output = try aws(["s3api", "list-objects-v2", "--bucket", bucket, "--query", "Contents[].Key", "--output", "text"])
        return output.split(whereSeparator: \.isWhitespace).map(String.init).filter { $0 != "None" }
    }

    /// Uploads begun and never completed or aborted under `bucket`.
    public func pendingUploads(_ bucket: String) throws -> [String] {
        let output = try aws(["s3api", "list-multipart-uploads", "--bucket", bucket, "--query", "Uploads[].Key", "--output", "text"])
        return output.split(whereSeparator: \.isWhitespace).map(String.init).filter { $0 != "None" }
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private func waitUntilAnswering() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else { break }
            if Self.connects(host: host, port: port) { return }
            usleep(100_000)
        }
        throw S3TestServerError.notAnswering(address: endpoint, log: log)
    }

    static func connects(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A CA and a server certificate for `ip` (subjectAltName IP), made with openssl.
    static func makeCertificates(for ip: String, in folder: URL) throws -> (ca: String, certificate: String, key: String) {
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=swarmsafe test CA",
             "-keyout", path("ca.key"), "-out", path("ca.pem")],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(ip)", "-keyout", path("server.key"), "-out", path("server.csr")],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
             "-days", "2", "-extfile", path("san.cnf"), "-out", path("server.pem")],
        ]
        try Data("subjectAltName = IP:\(ip)\nbasicConstraints = CA:FALSE\n".utf8).write(to: folder.appendingPathComponent("san.cnf"))
        for step in steps {
            let result = try run("openssl", step, environment: [:])
            guard result.status == 0 else {
                throw S3TestServerError.command("openssl " + step.joined(separator: " "), status: result.status, output: result.output)
            }
        }
        return (path("ca.pem"), path("server.pem"), path("server.key"))
    }

    /// An IAM user allowed everything, through boto3 (moto's own client library).
    static func createUser(endpoint: String) throws -> (String, String) {
        let script = """
            import boto3, json
            iam = boto3.client("iam", endpoint_url="\(endpoint)", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
            iam.create_user(UserName="swarmsafe")
            key = iam.create_access_key(UserName="swarmsafe")["AccessKey"]
            iam.put_user_policy(UserName="swarmsafe", PolicyName="all", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
            print(key["AccessKeyId"], key["SecretAccessKey"])
            """
        let result = try run("python3", ["-c", script], environment: [:])
        let parts = result.output.split(whereSeparator: \.isWhitespace)
        guard result.status == 0, parts.count >= 2 else {
            throw S3TestServerError.command("python3 (create an IAM user)", status: result.status, output: result.output)
        }
        return (String(parts[parts.count - 2]), String(parts[parts.count - 1]))
    }

    /// The repository's `.venv-s3/bin` (scripts/install-system-packages.sh puts moto and the
    /// AWS CLI there where the machine has neither), then PATH.
    static let searchPath: [String] = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [repository.appendingPathComponent(".venv-s3/bin").path]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    }()

    static func which(_ tool: String) -> String? {
        for folder in searchPath {
            let path = "\(folder)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs a tool to its end (bounded to two minutes), stdout and stderr together; variables
    /// given empty are unset for it (swarmsafe reads empty as unset, the AWS CLI does not).
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        guard let path = which(tool) else { throw S3TestServerError.toolMissing(tool) }
        // python3 -c needs boto3: the virtualenv's python where moto lives there.
        let executable = tool == "python3" ? (which("moto_server").map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("python3").path }
            .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil } ?? path) : path
        let result = try BoundedCommand.run(
            executable, arguments, environment: environment.filter { !$0.value.isEmpty },
            unsetting: environment.filter { $0.value.isEmpty }.map(\.key))
        return (result.status, result.stdout + result.stderr)
    }
}
