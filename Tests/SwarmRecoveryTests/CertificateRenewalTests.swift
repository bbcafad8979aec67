import Foundation
import SwarmFormats
import SwarmNode
import SwarmRecovery
import SwarmTestSupport
import Testing

/// Renewing real managers' certificates from the CA key in their own raft store.
@Suite struct CertificateRenewalTests {
    static let managers = [("single-manager", "manager-1"), ("autolock-3mgr", "manager-2"), ("fips-1mgr", "manager-1")]

    @Test(arguments: managers)
    func anExpiredCertificateIsReissuedForTheSameNodeAndKey(_ scenario: String, _ node: String) throws {
        let folder = Fixtures.copy(scenario, node)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try Fixtures.unlockKey(scenario).map { try UnlockKey(parsing: $0, source: "test") }
        let directory = StateDirectory(path: folder.path)
        let before = try NodeLoader(unlockKey: key).loadManager(directory, replay: false)
        let old = try #require(before.certificates?.node)
        let oldBytes = try Data(contentsOf: directory.nodeCertificate)

        // Still valid: refused without --force, nothing written.
        #expect(throws: RenewalError.self) {
            try CertificateRenewal(directory: directory, unlockKey: key, force: false).renew()
        }
        #expect(try Data(contentsOf: directory.nodeCertificate) == oldBytes)

        // A day after it expired: renewed without --force.
        let later = old.notAfter.addingTimeInterval(24 * 3600)
        let result = try CertificateRenewal(directory: directory, unlockKey: key, force: false, now: later).renew()
        let after = try NodeLoader(unlockKey: key).loadManager(directory, replay: false)
        let renewed = try #require(after.certificates)
        #expect(renewed.chainsToRoot)
        #expect(renewed.node.nodeID == old.nodeID)
        #expect(renewed.node.clusterID == old.clusterID)
        #expect(renewed.node.role == old.role)
        #expect(renewed.node.certificate.publicKey == old.certificate.publicKey)
        #expect(renewed.node.der != old.der)
        #expect(renewed.node.isValid(at: later))
        #expect(renewed.node.notAfter > later.addingTimeInterval(80 * 24 * 3600))
        #expect(result.notAfter == renewed.node.notAfter)
        // Renewal writes the certificate file only: the store is still, object by object and
        // field by field, what swarmkit's own decoder read from the fixture.
        let store = try NodeLoader(unlockKey: key).loadManager(directory).cluster?.store
        #expect(try GoldenStore.lines(store) == Fixtures.goldenObjects(scenario, node))
        // The old certificate is kept, byte for byte.
        let aside = try #require(result.previousMovedTo)
        #expect(try Data(contentsOf: URL(fileURLWithPath: aside)) == oldBytes)
    }

    @Test func dryRunWritesNothing() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = StateDirectory(path: folder.path)
        let before = try FileManager.default.contentsOfDirectory(atPath: directory.certificatesDirectory.path).sorted()
        let bytes = try Data(contentsOf: directory.nodeCertificate)
        let result = try CertificateRenewal(directory: directory, unlockKey: nil, force: true).renew(dryRun: true)
        #expect(result.previousMovedTo == nil)
        #expect(try Data(contentsOf: directory.nodeCertificate) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.certificatesDirectory.path).sorted() == before)
    }
}
