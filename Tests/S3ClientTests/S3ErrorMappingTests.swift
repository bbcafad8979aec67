import Foundation
import NIOHTTP1
@testable import S3Client
import Testing

/// S3's error documents (as AWS documents them) become one-line errors that say what to do.
@Suite struct S3ErrorMappingTests {
    static let location = S3Location(bucket: "backups", key: "swarm/x.tar.zst")

    static func error(_ status: Int, _ xml: String?, headers: HTTPHeaders = [:], method: HTTPMethod = .GET) -> S3Error {
        S3Client.error(
            status: status, root: xml.flatMap { S3XMLElement.parse(Array($0.utf8)) }, headers: headers, location: location,
            method: method, attempts: 1, region: "us-east-1")
    }

    @Test func wrongRegionNamesTheRightOne() {
        let redirect = Self.error(
            301, "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>",
            headers: ["x-amz-bucket-region": "eu-west-1"])
        #expect(redirect == .wrongRegion(bucket: "backups", used: "us-east-1", expected: "eu-west-1"))
        #expect("\(redirect)" == "s3://backups: the bucket is in region eu-west-1, not us-east-1; pass --s3-region eu-west-1")
        let malformed = Self.error(
            400, "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; expecting 'ap-south-1'</Message><Region>ap-south-1</Region></Error>")
        #expect(malformed == .wrongRegion(bucket: "backups", used: "us-east-1", expected: "ap-south-1"))
        #expect(Self.error(301, nil, method: .HEAD) == .wrongRegion(bucket: "backups", used: "us-east-1", expected: nil))
    }

    @Test func missingAndDeniedAreTheirOwnErrors() {
        #expect(Self.error(404, "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>") == .noSuchBucket(bucket: "backups"))
        #expect(Self.error(404, "<Error><Code>NoSuchKey</Code></Error>") == .noSuchKey(location: "s3://backups/swarm/x.tar.zst"))
        #expect(Self.error(404, nil, method: .HEAD) == .noSuchKey(location: "s3://backups/swarm/x.tar.zst"))
        let denied = Self.error(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
        #expect("\(denied)" == "s3://backups/swarm/x.tar.zst: access denied (AccessDenied: Access Denied); check the access key, its secret and the bucket policy")
        #expect(Self.error(412, nil) == .preconditionFailed(location: "s3://backups/swarm/x.tar.zst"))
    }

    @Test func onlyServerTroubleIsRetried() {
        #expect(Self.error(503, "<Error><Code>SlowDown</Code></Error>").isTransient)
        #expect(Self.error(500, "<Error><Code>InternalError</Code></Error>").isTransient)
        #expect(Self.error(400, "<Error><Code>RequestTimeout</Code></Error>").isTransient)
        #expect(!Self.error(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>").isTransient)
        #expect(!Self.error(404, "<Error><Code>NoSuchKey</Code></Error>").isTransient)
        #expect(!Self.error(400, "<Error><Code>EntityTooSmall</Code></Error>").isTransient)
    }

    @Test func xmlIsParsedAndEscaped() throws {
        let root = try #require(S3XMLElement.parse(Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated>
            <Contents><Key>a&amp;b</Key><Size>12</Size></Contents><Contents><Key>c</Key><Size>3</Size></Contents>
            <NextContinuationToken>tok</NextContinuationToken></ListBucketResult>
            """.utf8)))
        #expect(root.name == "ListBucketResult")
        #expect(root.all("Contents").compactMap { $0.value("Key") } == ["a&b", "c"])
        #expect(root.value("NextContinuationToken") == "tok")
        #expect(S3XMLElement.escape("\"a\"<&>'") == "&quot;a&quot;&lt;&amp;&gt;&apos;")
        #expect(S3XMLElement.parse(Array("<unclosed>".utf8)) == nil)
    }

    @Test func requestsGoToTheVirtualHostOrThePath() throws {
        let keys = S3Configuration(
            endpoint: S3Endpoint(scheme: "https", host: "s3.eu-west-1.amazonaws.com", port: nil), region: "eu-west-1",
            pathStyle: false, credentials: .init(accessKeyID: "K", secretAccessKey: "s"))
        let virtual = try S3Client(configuration: keys)
        let target = S3Location(bucket: "backups", key: "a b/c.tar.zst")
        #expect(virtual.address(of: target) == ("backups.s3.eu-west-1.amazonaws.com", "/a%20b/c.tar.zst"))
        let local = try S3Client(configuration: S3Configuration(
            endpoint: S3Endpoint(scheme: "http", host: "127.0.0.1", port: 9000), region: "us-east-1", pathStyle: true,
            credentials: .init(accessKeyID: "K", secretAccessKey: "s")))
        #expect(local.address(of: target) == ("127.0.0.1", "/backups/a%20b/c.tar.zst"))
        #expect(local.address(of: S3Location(bucket: "backups", key: "")) == ("127.0.0.1", "/backups"))
    }
}
