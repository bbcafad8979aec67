import Crypto
import Foundation
import SwarmFormats
import SwarmTestSupport
import SwiftASN1
import Testing
import X509

/// Certificates we issue against the ones real swarmkit issued in the `fresh-init` fixture:
/// everything but keys, serials, signatures and dates must be the same bytes.
@Suite struct CertificateIssuerTests {
    static let folder = Fixtures.folder("fresh-init", "manager-1")

    static func reference() throws -> SwarmCertificates {
        try SwarmCertificates.load(stateDirectory: folder)
    }

    /// Extension OIDs, criticality and (for the ones without key IDs) the exact value bytes.
    static func extensionShape(_ certificate: Certificate) -> [String] {
        let keyIDs: [ASN1ObjectIdentifier] = [.X509ExtensionID.subjectKeyIdentifier, .X509ExtensionID.authorityKeyIdentifier]
        return certificate.extensions.map { ext in
            "\(ext.oid) critical=\(ext.critical) " + (keyIDs.contains(ext.oid) ? "<key id>" : Data(ext.value).base64EncodedString())
        }
    }

    static func der(_ name: DistinguishedName) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(name)
        return serializer.serializedBytes
    }

    static func keyIdentifier(_ certificate: Certificate) throws -> [UInt8]? {
        try certificate.extensions.subjectKeyIdentifier.map { Array($0.keyIdentifier) }
    }

    @Test func rootLooksLikeSwarmkits() throws {
        let fixtureRoot = try #require(Self.reference().root).certificate
        let now = Date()
        let issuer = try CertificateIssuer.createRoot(issuedAt: now)
        let root = issuer.rootCertificate
        #expect(try Self.der(root.subject) == Self.der(fixtureRoot.subject))
        #expect(try Self.der(root.issuer) == Self.der(fixtureRoot.issuer))
        #expect(Self.extensionShape(root) == Self.extensionShape(fixtureRoot))
        #expect(root.version == .v3)
        #expect(root.signatureAlgorithm == fixtureRoot.signatureAlgorithm)
        #expect(root.serialNumber.bytes.count <= 20 && (root.serialNumber.bytes.first ?? 0) < 0x80)
        let expectedSKI = Array(Insecure.SHA1.hash(data: issuer.privateKey.publicKey.x963Representation))
        #expect(try Self.keyIdentifier(root) == expectedSKI)
        #expect(root.notValidAfter.timeIntervalSince(root.notValidBefore) == 630_720_000)
        #expect(fixtureRoot.notValidAfter.timeIntervalSince(fixtureRoot.notValidBefore) == 630_720_000)
        #expect(root.notValidBefore == CertificateValidity.rootCA(issuedAt: now).notBefore)
        #expect(root.publicKey.isValidSignature(root.signature, for: root))
    }

    @Test func nodeCertificateLooksLikeSwarmkits() throws {
        let reference = try Self.reference()
        let fixtureNode = reference.node.certificate
        let issuer = try CertificateIssuer.createRoot(issuedAt: Date())
        let now = Date()
        let issued = try issuer.issueNodeCredentials(
            nodeID: reference.node.nodeID, role: .manager, clusterID: reference.node.clusterID,
            validity: .nodeCertificate(issuedAt: now))
        let certificate = issued.certificate.certificate
        #expect(try Self.der(certificate.subject) == Self.der(fixtureNode.subject))
        #expect(try Self.der(certificate.issuer) == Self.der(fixtureNode.issuer))
        #expect(Self.extensionShape(certificate) == Self.extensionShape(fixtureNode))
        #expect(certificate.signatureAlgorithm == fixtureNode.signatureAlgorithm)
        let nodeKey = try issued.privateKey.signingKey()
        #expect(try Self.keyIdentifier(certificate) == Array(Insecure.SHA1.hash(data: nodeKey.publicKey.x963Representation)))
        let authority = try #require(try certificate.extensions.authorityKeyIdentifier?.keyIdentifier)
        #expect(try Array(authority) == Self.keyIdentifier(issuer.rootCertificate))
        let lifetime: TimeInterval = 90 * 86_400 + 3600
        #expect(certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore) == lifetime)
        #expect(fixtureNode.notValidAfter.timeIntervalSince(fixtureNode.notValidBefore) == lifetime)

        // Read back the way inspect reads a node: same IDs and role, chains to our root.
        let parsed = try SwarmCertificates(
            nodeChainPEM: Data(issued.certificate.pem.utf8), rootsPEM: Data(issuer.rootCertificatePEM.utf8))
        #expect(parsed.node.nodeID == reference.node.nodeID)
        #expect(parsed.node.clusterID == reference.node.clusterID)
        #expect(parsed.node.role == .manager)
        #expect(parsed.chainsToRoot)
        #expect(parsed.matches(privateKey: nodeKey))
        #expect(try !SwarmCertificates(nodeChainPEM: Data(issued.certificate.pem.utf8), rootsPEM: Data(
            CertificateIssuer.createRoot(issuedAt: Date()).rootCertificatePEM.utf8)).chainsToRoot)
    }

    @Test func workerCertificateHasNoCAName() throws {
        let issuer = try CertificateIssuer.createRoot(issuedAt: Date())
        let issued = try issuer.issueNodeCredentials(
            nodeID: "abcdefghijklmnopqrstuvwxy", role: .worker, clusterID: "FIPS.abcdefghijklmnopqrstuvwxy",
            validity: .nodeCertificate(issuedAt: Date()))
        let names = try #require(try issued.certificate.certificate.extensions.subjectAlternativeNames)
        #expect(names.map { "\($0)" }.count == 2)
        let parsed = try SwarmCertificates(nodeChainPEM: Data(issued.certificate.pem.utf8), rootsPEM: Data(issuer.rootCertificatePEM.utf8))
        #expect(parsed.node.role == .worker)
        #expect(parsed.node.clusterID == "FIPS.abcdefghijklmnopqrstuvwxy")
        #expect(throws: CertificateIssuanceError.unsupportedRole("other")) {
            try issuer.issueNodeCredentials(nodeID: "n", role: .other("other"), clusterID: "c", validity: .nodeCertificate(issuedAt: Date()))
        }
        #expect(throws: CertificateIssuanceError.invalidSubjectField(field: "CN (node ID)", value: "")) {
            try issuer.issueNodeCredentials(nodeID: "", role: .manager, clusterID: "c", validity: .nodeCertificate(issuedAt: Date()))
        }
    }

    /// cfssl rounds the issue time to the nearest minute (Go's Round: halves go up).
    @Test func validityRounding() throws {
        let base = Date(timeIntervalSince1970: 1_795_365_376) // 2026-11-22T16:36:16Z, fresh-init's issue time
        let node = CertificateValidity.nodeCertificate(issuedAt: base)
        #expect(node.notBefore == Date(timeIntervalSince1970: 1_795_365_360 - 3600))
        #expect(node.notAfter == Date(timeIntervalSince1970: 1_795_365_360 + 90 * 86_400))
        let root = CertificateValidity.rootCA(issuedAt: base)
        #expect(root.notBefore == Date(timeIntervalSince1970: 1_795_365_360 - 300))
        #expect(CertificateValidity.nodeCertificate(issuedAt: base.addingTimeInterval(14)).notBefore
            == Date(timeIntervalSince1970: 1_795_365_420 - 3600))
        // The fixture's certificates were issued at that time: same windows.
        #expect(try Self.reference().node.notBefore == node.notBefore)
        #expect(try Self.reference().node.notAfter == node.notAfter)
        #expect(try #require(Self.reference().root).notBefore == root.notBefore)
    }

    /// The node key is PKCS#8 laid out as Go writes it: no inner curve parameters, public key kept.
    @Test func nodeKeyLayoutMatchesSwarmkit() throws {
        let fixtureKey = try NodeKeyFile.read(path: Self.folder.appendingPathComponent(NodeKeyFile.relativePath).path)
        let issuer = try CertificateIssuer.createRoot(issuedAt: Date())
        let ours = try issuer.issueNodeCredentials(
            nodeID: "abcdefghijklmnopqrstuvwxy", role: .manager, clusterID: "abcdefghijklmnopqrstuvwxy",
            validity: .nodeCertificate(issuedAt: Date())).privateKey
        let theirs = fixtureKey.block.bytes
        #expect(ours.isPKCS8)
        #expect(ours.der.count == theirs.count)
        #expect(ours.der.prefix(36) == theirs.prefix(36))
        #expect(ours.der.dropFirst(68).prefix(6) == theirs.dropFirst(68).prefix(6))
    }

    @Test func rootKeyPEMIsSEC1() throws {
        let issuer = try CertificateIssuer.createRoot(issuedAt: Date())
        let block = try PEMBlock.parse(issuer.privateKeyPEM())
        #expect(block.type == "EC PRIVATE KEY")
        #expect(block.headers.isEmpty)
        #expect(block.bytes.count == 121)
        let reparsed = try P256.Signing.PrivateKey(derRepresentation: block.bytes)
        #expect(reparsed.rawRepresentation == issuer.privateKey.rawRepresentation)
        #expect(issuer.rootDigestText == "sha256:" + SHA256.hash(data: Data(issuer.rootCertificatePEM.utf8))
            .map { String(format: "%02x", $0) }.joined())
    }
}
