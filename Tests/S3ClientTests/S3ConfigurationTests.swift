import Foundation
import S3Client
import SwarmTestSupport
import Testing

/// Options, environment and profile files, resolved in the AWS CLI's order.
@Suite struct S3ConfigurationTests {
    static func home(credentials: String? = nil, config: String? = nil) throws -> String {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-s3-home-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        if let credentials { try Data(credentials.utf8).write(to: home.appendingPathComponent(".aws/credentials")) }
        if let config { try Data(config.utf8).write(to: home.appendingPathComponent(".aws/config")) }
        return home.path
    }

    @Test func environmentKeysWinOverTheDefaultProfile() throws {
        let home = try Self.home(credentials: "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n")
        let resolved = try S3Configuration.resolve(
            .init(), environment: ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "tok"],
            home: home)
        #expect(resolved.credentials.accessKeyID == "ENVKEY")
        #expect(resolved.credentials.sessionToken == "tok")
        #expect(resolved.region == "us-east-1")
        #expect(resolved.endpoint == S3Endpoint(scheme: "https", host: "s3.us-east-1.amazonaws.com", port: nil))
        #expect(!resolved.pathStyle)
    }

    @Test func aNamedProfileComesFromTheCredentialsFileAndItsRegionFromTheConfigFile() throws {
        let home = try Self.home(
            credentials: "[default]\naws_access_key_id = D\naws_secret_access_key = d\n\n[backup]\naws_access_key_id = B \naws_secret_access_key=b\n",
            config: "[default]\nregion = us-west-2\n[profile backup]\nregion = eu-central-1\ns3 =\n  addressing_style = path\n")
        let resolved = try S3Configuration.resolve(.init(), environment: ["AWS_PROFILE": "backup"], home: home)
        #expect(resolved.credentials.accessKeyID == "B")
        #expect(resolved.credentials.secretAccessKey == "b")
        #expect(resolved.region == "eu-central-1")
        #expect(resolved.endpoint.host == "s3.eu-central-1.amazonaws.com")
        #expect(resolved.pathStyle)
        // An explicit profile beats keys in the environment, as with `aws --profile`.
        let explicit = try S3Configuration.resolve(
            .init(profile: "default"), environment: ["AWS_ACCESS_KEY_ID": "E", "AWS_SECRET_ACCESS_KEY": "e"], home: home)
        #expect(explicit.credentials.accessKeyID == "D")
        #expect(explicit.region == "us-west-2")
    }

    @Test func pathStyleIsChosenForIPAddressesAndLocalhost() throws {
        let keys = ["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "s"]
        let home = try Self.home()
        for (endpoint, expected) in [
            ("http://127.0.0.1:9000", true), ("http://localhost:9000", true), ("http://[::1]:9000", true),
            ("https://minio.example.com", false), ("https://s3.eu-west-1.amazonaws.com", false),
        ] {
            let resolved = try S3Configuration.resolve(.init(endpoint: endpoint), environment: keys, home: home)
            #expect(resolved.pathStyle == expected, "\(endpoint)")
        }
        let forced = try S3Configuration.resolve(.init(endpoint: "https://minio.example.com", pathStyle: true), environment: keys, home: home)
        #expect(forced.pathStyle)
        let fromEnvironment = try S3Configuration.resolve(
            .init(), environment: keys.merging(["AWS_ENDPOINT_URL": "http://127.0.0.5:4566", "AWS_REGION": "ap-south-1"]) { $1 }, home: home)
        #expect(fromEnvironment.endpoint == S3Endpoint(scheme: "http", host: "127.0.0.5", port: 4566))
        #expect(fromEnvironment.region == "ap-south-1")
    }

    @Test func badInputIsRefusedInOneLineNamingIt() throws {
        let home = try Self.home()
        #expect(throws: S3Error.noCredentials(searched: [
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", "\(home)/.aws/credentials [default]", "\(home)/.aws/config [profile default]",
        ])) { try S3Configuration.resolve(.init(), environment: [:], home: home) }
        let keys = ["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "s"]
        for endpoint in ["ftp://host", "host-without-scheme", "http://host/with/path"] {
            do {
                _ = try S3Configuration.resolve(.init(endpoint: endpoint), environment: keys, home: home)
                Issue.record("\(endpoint) accepted")
            } catch {
                #expect("\(error)".hasPrefix("\(endpoint): not a usable S3 endpoint"), "\(error)")
            }
        }
        do {
            _ = try S3Configuration.resolve(.init(caFile: "/nonexistent/ca.pem"), environment: keys, home: home)
            Issue.record("a missing CA file was accepted")
        } catch {
            #expect("\(error)" == "/nonexistent/ca.pem: cannot use as CA file: does not exist or cannot be read")
        }
    }

    @Test func locationsParseAsTheAWSCLIWritesThem() throws {
        let location = try S3Location(parsing: "s3://my-bucket/swarm/prod")
        #expect(location.bucket == "my-bucket")
        #expect(location.key == "swarm/prod")
        #expect(location.keyPrefix == "swarm/prod/")
        #expect(location.appending("x.tar.zst").description == "s3://my-bucket/swarm/prod/x.tar.zst")
        #expect(try S3Location(parsing: "s3://b12").key == "")
        #expect(try S3Location(parsing: "s3://b12/").keyPrefix == "")
        for bad in ["s3://", "s3://UPPER", "s3://a", "s3://-dash", "s3://under_score/x", "/local/path"] {
            #expect(throws: S3Error.self, "\(bad)") { try S3Location(parsing: bad) }
        }
    }
}
