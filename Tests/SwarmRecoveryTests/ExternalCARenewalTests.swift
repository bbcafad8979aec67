import Foundation
import SwarmFormats
import SwarmManager
import SwarmProto
import SwarmRecovery
import SwarmStore
import SwarmTestSupport
import Testing

/// A cluster whose root CA key is held outside (an external CA) keeps no key in its raft
/// store: renewing offline must be refused clearly, and nothing written.
@Suite struct ExternalCARenewalTests {
    @Test func renewalIsRefusedWhenTheCAKeyIsExternal() throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = StateDirectory(path: folder.path)
        // Turn the fixture into an external-CA cluster the way its store records one: the CA
        // key gone from the cluster object, an external CA in its spec.
        let manager = try EmbeddedManager(directory: directory, unlockKey: nil)
        try manager.update { tx in
            guard case .cluster(var cluster)? = try tx.store.objects(.cluster).first?.decoded() else {
                throw StoreTransactionError.notFound(kind: "cluster", id: "default")
            }
            cluster.rootCa.caKey = Data()
            var external = SwarmExternalCA()
            external.url = "https://ca.example.internal/sign"
            cluster.spec.caConfig.externalCas = [external]
            try tx.update(.cluster(cluster))
        }
        try manager.close()
        let tree = try Fixtures.tree(folder.path)

        #expect {
            try CertificateRenewal(directory: directory, unlockKey: nil, force: true).renew()
        } throws: { error in
            guard case RenewalError.externalCA = error else { return false }
            return true
        }
        #expect(try Fixtures.tree(folder.path) == tree)
        #expect("\(RenewalError.externalCA(path: directory.path))".contains("external CA"))
    }
}
