import Foundation
import SwarmFormats
import SwarmTestSupport
import Testing

@Suite struct CertificateTests {
    @Test("certificate fields equal expected.json", arguments: KeysTests.allNodes)
    func fieldsMatchExpected(scenario: String, node: String) throws {
        let expected = try Fixtures.expected(scenario)
        let nodes = try #require(expected["nodes"] as? [String: String])
        let roles = try #require(expected["roles"] as? [String: String])
        let certificates = try SwarmCertificates.load(stateDirectory: Fixtures.folder(scenario, node))
        #expect(certificates.node.nodeID == nodes[node])
        #expect(certificates.node.clusterID == expected["cluster_id"] as? String)
        #expect(certificates.node.role.description == roles[node])
        #expect(certificates.node.issuer == "CN=swarm-ca")
        #expect(certificates.node.notBefore < certificates.node.notAfter)
        #expect(certificates.intermediates.isEmpty)
        #expect(certificates.roots.count == 1)
        #expect(certificates.chainsToRoot)
        let root = try #require(certificates.root)
        #expect(root.subject == "CN=swarm-ca")
        #expect(root.sha256.count == 64)
    }

    @Test func allNodesOfAClusterShareTheRoot() throws {
        for scenario in ["ha-3mgr-snapshot", "autolock-3mgr"] {
            let digests = try KeysTests.allNodes.filter { $0.0 == scenario }.map {
                try #require(SwarmCertificates.load(stateDirectory: Fixtures.folder($0.0, $0.1)).root).sha256
            }
            #expect(digests.count > 1)
            #expect(Set(digests).count == 1)
        }
        let one = try #require(SwarmCertificates.load(stateDirectory: Fixtures.folder("single-manager", "manager-1")).root)
        let other = try #require(SwarmCertificates.load(stateDirectory: Fixtures.folder("autolock-3mgr", "manager-1")).root)
        #expect(one.sha256 != other.sha256)
    }

    @Test func rolesFromOU() {
        #expect(NodeRole(organizationalUnit: "swarm-manager") == .manager)
        #expect(NodeRole(organizationalUnit: "swarm-worker") == .worker)
        #expect(NodeRole(organizationalUnit: "other") == .other("other"))
        #expect(NodeRole(organizationalUnit: nil) == .other(""))
    }

    @Test func foreignRootDoesNotVerify() throws {
        let nodeFolder = Fixtures.folder("single-manager", "manager-1")
        let otherFolder = Fixtures.folder("autolock-3mgr", "manager-1")
        let chain = try Data(contentsOf: nodeFolder.appendingPathComponent(SwarmCertificates.nodeCertificatePath))
        let foreignRoot = try Data(contentsOf: otherFolder.appendingPathComponent(SwarmCertificates.rootCAPath))
        let ownRoot = try Data(contentsOf: nodeFolder.appendingPathComponent(SwarmCertificates.rootCAPath))
        // Both roots are named CN=swarm-ca: only the signature tells them apart.
        #expect(try !SwarmCertificates(nodeChainPEM: chain, rootsPEM: foreignRoot).chainsToRoot)
        // During a root rotation the file may hold several roots; any of them may sign.
        #expect(try SwarmCertificates(nodeChainPEM: chain, rootsPEM: foreignRoot + ownRoot).chainsToRoot)
        // The node's key does not match another node's certificate.
        let material = try NodeKeys.load(stateDirectory: nodeFolder, unlockKey: nil)
        let otherChain = try Data(contentsOf: Fixtures.folder("ha-3mgr-snapshot", "manager-1")
            .appendingPathComponent(SwarmCertificates.nodeCertificatePath))
        #expect(try !SwarmCertificates(nodeChainPEM: otherChain, rootsPEM: ownRoot).matches(privateKey: material.privateKey))
    }

    @Test func damagedCertificateFiles() {
        #expect(throws: CertificateError.missing(file: "/nonexistent/certificates/swarm-node.crt")) {
            try SwarmCertificates.load(stateDirectory: URL(fileURLWithPath: "/nonexistent"))
        }
        #expect(throws: CertificateError.noCertificate(file: "swarm-node.crt")) {
            try SwarmCertificates(nodeChainPEM: Data("nothing here".utf8), rootsPEM: Data())
        }
        #expect(throws: CertificateError.self) {
            try SwarmCertificates(nodeChainPEM: Data("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8), rootsPEM: Data())
        }
    }

    /// `openssl x509 -in swarm-root-ca.crt -outform DER | sha256sum`.
    static let rootDigests = [
        "single-manager": "284ce7fb98e408c5deb4ea919cedbe27a14b02f91c6eb4547f4c8bdceea6841e",
        "autolock-3mgr": "8fd5cd88794d22fa05cc3fe7458a85335bc36a287dd44e4e456ec79b4dda0159",
        "fips-1mgr": "2c912154b59229adcbf9e31540a1921755227e483e9c5b7b1422406b417249f3",
    ]

    @Test func rootDigestsMatchOpenSSL() throws {
        for (scenario, digest) in Self.rootDigests {
            let root = try #require(SwarmCertificates.load(stateDirectory: Fixtures.folder(scenario, "manager-1")).root)
            #expect(root.sha256 == digest)
        }
    }
}
