import Foundation
import SwarmFormats

/// The key material of a new swarm: root CA, this manager's key and certificate, the raft
/// DEK and, when autolocked, the unlock key. All of it is secret except the certificates.
public struct InitCredentials: Sendable {
    public let issuer: CertificateIssuer
    public let nodePrivateKey: PlainPrivateKey
    public let nodeCertificate: IssuedCertificate
    /// Encrypts raft entries and snapshots.
    public let dek: EncryptionKey
    /// Present when the swarm is autolocked.
    public let unlockKey: UnlockKey?

    public init(
        issuer: CertificateIssuer, nodePrivateKey: PlainPrivateKey, nodeCertificate: IssuedCertificate,
        dek: EncryptionKey, unlockKey: UnlockKey?
    ) {
        self.issuer = issuer
        self.nodePrivateKey = nodePrivateKey
        self.nodeCertificate = nodeCertificate
        self.dek = dek
        self.unlockKey = unlockKey
    }

    /// Issues this manager's certificate from `issuer` (OU swarm-manager, default 90-day
    /// lifetime) and makes a fresh DEK and, with `autolock`, a fresh unlock key.
    public static func issue(
        issuer: CertificateIssuer, identity: SwarmIdentity, issuedAt now: Date, autolock: Bool
    ) throws(InitError) -> InitCredentials {
        let issued: (privateKey: PlainPrivateKey, certificate: IssuedCertificate)
        do {
            issued = try issuer.issueNodeCredentials(
                nodeID: identity.nodeID, role: .manager, clusterID: identity.clusterID,
                validity: .nodeCertificate(issuedAt: now))
        } catch {
            throw .certificate(error)
        }
        return InitCredentials(
            issuer: issuer, nodePrivateKey: issued.privateKey, nodeCertificate: issued.certificate,
            dek: .random(), unlockKey: autolock ? .random() : nil)
    }
}

extension InitCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Keys stay out of logs and debugger dumps, whatever prints this value.
    public var description: String {
        "InitCredentials(root CA \(issuer.rootDigestText), node certificate, DEK and \(unlockKey == nil ? "no unlock key" : "unlock key") redacted)"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
