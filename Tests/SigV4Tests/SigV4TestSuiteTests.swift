import Foundation
import SigV4
import SwarmTestSupport
import Testing

/// AWS's own SigV4 test suite (Tests/Fixtures/sigv4, see its README for where each file
/// comes from): every case's request signed by us must give the published canonical
/// request, string to sign and Authorization header.
@Suite struct SigV4TestSuiteTests {
    static let folder = Fixtures.sourceDirectory.appendingPathComponent("sigv4")
    static let credentials = SigV4Credentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let token =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z

    /// Every case folder holding a `.req`, relative to the suite folder.
    static let cases: [String] = {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        var found: [String] = []
        while let entry = enumerator?.nextObject() as? String {
            if entry.hasSuffix(".req") { found.append((entry as NSString).deletingLastPathComponent) }
        }
        // Added after signing, so not signed: nothing for a signer to reproduce.
        return found.filter { !$0.hasSuffix("post-sts-header-after") }.sorted()
    }()

    @Test func theSuiteIsThere() {
        #expect(Self.cases.count == 33)
    }

    @Test(arguments: cases) func signsAsPublished(_ relative: String) throws {
        let base = Self.folder.appendingPathComponent(relative)
        let name = base.lastPathComponent
        func file(_ ext: String) throws -> String {
            try String(contentsOf: base.appendingPathComponent("\(name).\(ext)"), encoding: .utf8)
        }
        let parsed = try SuiteRequest(try file("req"))
        var headers = parsed.headers.filter { $0.name.lowercased() != "x-amz-date" }
        let withToken = name == "get-vanilla-with-session-token"
        if withToken { headers.removeAll { $0.name.lowercased() == "x-amz-security-token" } }
        // The suite's two token cases use different tokens (see the fixtures' README).
        let token: String? = withToken ? "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
            : name == "post-sts-header-before" ? Self.token : nil
        let credentials = SigV4Credentials(
            accessKeyID: Self.credentials.accessKeyID, secretAccessKey: Self.credentials.secretAccessKey, sessionToken: token)
        if name == "post-sts-header-before" { headers.removeAll { $0.name.lowercased() == "x-amz-security-token" } }
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let request = SigV4Request(method: parsed.method, path: parsed.path, query: parsed.query, headers: headers)
        let payloadHash = SigV4Signer.payloadHash(Array(parsed.body.utf8))
        let added = signer.signedHeaders(for: request, payloadHash: payloadHash, date: Self.date)
        let complete = SigV4Request(method: parsed.method, path: parsed.path, query: parsed.query, headers: headers + added.dropLast())
        let signature = signer.signature(for: complete, payloadHash: payloadHash, date: Self.date)
        #expect(signature.canonicalRequest == (try file("creq")))
        #expect(signature.stringToSign == (try file("sts")))
        #expect(added.last?.value == (try file("authz")))
        #expect(added.last?.name == "Authorization")
    }

    /// The four worked examples of S3's documentation: S3 signs the path as sent and hashes
    /// the payload into `x-amz-content-sha256`.
    @Test func signsS3sWorkedExamples() throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("s3-examples.json"))
        let examples = try JSONDecoder().decode([S3Example].self, from: data)
        #expect(examples.count == 4)
        let signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "s3")
        for example in examples {
            let query = example.query.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (name: SigV4URIEncoding.decode(String(parts[0])) ?? "", value: parts.count > 1 ? SigV4URIEncoding.decode(String(parts[1])) ?? "" : "")
            }
            let path = SigV4URIEncoding.encode(example.path, keepSlash: true)
            let request = SigV4Request(
                method: example.method, path: path, query: query,
                headers: example.headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) })
            let signature = signer.signature(
                for: request, payloadHash: SigV4Signer.payloadHash(Array(example.payload.utf8)),
                date: Date(timeIntervalSince1970: 1_369_353_600))  // 20130524T000000Z
            #expect(signature.canonicalRequest == example.canonicalRequest, "\(example.name)")
            #expect(signature.stringToSign == example.stringToSign, "\(example.name)")
            #expect(signature.signature == example.signature, "\(example.name)")
        }
    }

    @Test func timestampsAreUTCInBasicFormat() {
        #expect(SigV4Signer.timestamp(Self.date) == "20150830T123600Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
    }

    @Test func encodesAsSigV4Asks() {
        #expect(SigV4URIEncoding.encode("a b+c/d~e") == "a%20b%2Bc%2Fd~e")
        #expect(SigV4URIEncoding.encode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(SigV4URIEncoding.encode("ሴ") == "%E1%88%B4")
        #expect(SigV4URIEncoding.decode("%E1%88%B4x") == "ሴx")
        #expect(SigV4URIEncoding.decode("%zz") == nil)
    }

    @Test func credentialsNeverDescribeTheirSecret() {
        let credentials = SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "very-secret", sessionToken: "tok")
        #expect(!"\(credentials)".contains("very-secret"))
        #expect(!"\(credentials)".contains("tok"))
    }

    struct S3Example: Decodable {
        let name, method, path, query, payload, canonicalRequest, stringToSign, signature: String
        let headers: [String: String]
    }

    /// A raw request of the suite: request line, headers (a line starting with white space
    /// continues the header before it), an empty line, the body.
    struct SuiteRequest {
        var method = ""
        var path = ""
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        var body = ""

        init(_ text: String) throws {
            let (head, body) = text.range(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? (text, "")
            self.body = body
            var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let requestLine = lines.removeFirst()
            guard let firstSpace = requestLine.firstIndex(of: " "), let lastSpace = requestLine.range(of: " HTTP/", options: .backwards) else {
                throw SuiteError.badRequestLine(requestLine)
            }
            method = String(requestLine[..<firstSpace])
            let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace.lowerBound])
            let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            path = String(parts[0])
            if parts.count > 1 {
                query = parts[1].split(separator: "&").map { pair in
                    let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    return (SigV4URIEncoding.decode(String(kv[0])) ?? String(kv[0]), kv.count > 1 ? SigV4URIEncoding.decode(String(kv[1])) ?? String(kv[1]) : "")
                }
            }
            for line in lines {
                if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                    headers[headers.count - 1].value += "\n" + line
                } else if let colon = line.firstIndex(of: ":") {
                    headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
                }
            }
        }
    }

    enum SuiteError: Error { case badRequestLine(String) }
}
