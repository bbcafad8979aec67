import Foundation
import SwarmFormats
import SwarmNode
import SwarmProto
import SwarmStateReplacement
import SwarmStore

/// `swarmsafe certs renew`: a new node certificate for a manager whose certificate expired
/// (a manager left off longer than its certificate lasts cannot rejoin to get a new one),
/// signed offline with the root CA key the cluster keeps in its raft store, as swarmkit's
/// renew-certs tool does. Same node ID, role, cluster and key; only the validity is new.
public struct CertificateRenewal {
    /// Renew without `force` only when the certificate has expired or expires within this.
    public static let renewWindow: TimeInterval = 7 * 24 * 3600

    public struct Result: Sendable {
        public let certificatePath: String
        /// Where the previous certificate was moved.
        public let previousMovedTo: String?
        public let nodeID: String
        public let role: String
        public let notBefore: Date
        public let notAfter: Date
        public let previousNotAfter: Date
        public let dryRun: Bool
    }

    public let directory: StateDirectory
    public let unlockKey: UnlockKey?
    public let force: Bool
    public let now: Date

    public init(directory: StateDirectory, unlockKey: UnlockKey?, force: Bool, now: Date = Date()) {
        self.directory = directory
        self.unlockKey = unlockKey
        self.force = force
        self.now = now
    }

    public func renew(dryRun: Bool = false) throws -> Result {
        var lock: StateDirectoryLock?
        if !dryRun {
            lock = try StateDirectoryLock.claim(directory.path, for: .certificateRenewal)
        }
        defer { lock?.release() }
        let node = try NodeLoader(unlockKey: unlockKey).loadManager(directory, replay: true)
        guard let current = node.certificates?.node else {
            throw RenewalError.noCertificate(path: directory.nodeCertificate.path)
        }
        guard force || current.notAfter.timeIntervalSince(now) < Self.renewWindow else {
            throw RenewalError.stillValid(path: directory.nodeCertificate.path, notAfter: current.notAfter)
        }
        guard let keys = node.keys else { throw KeyMaterialError.missing(file: directory.nodeKey.path) }
        guard case .cluster(let cluster)? = try node.cluster?.store.objects(.cluster).first?.decoded() else {
            throw RenewalError.noClusterObject(path: directory.path)
        }
        guard !cluster.rootCa.caKey.isEmpty else { throw RenewalError.externalCA(path: directory.path) }
        let issuer: CertificateIssuer
        do {
            issuer = try CertificateIssuer(rootCertificatePEM: cluster.rootCa.caCert, privateKeyPEM: cluster.rootCa.caKey)
        } catch {
            throw RenewalError.unusableCA(path: directory.path, reason: "\(error)")
        }
        let expiry = cluster.spec.caConfig.hasNodeCertExpiry && cluster.spec.caConfig.nodeCertExpiry.seconds > 0
            ? TimeInterval(cluster.spec.caConfig.nodeCertExpiry.seconds)
            : CertificateValidity.defaultNodeCertificateExpiry
        let validity = CertificateValidity.nodeCertificate(issuedAt: now, expiry: expiry)
        let issued = try issuer.issueNodeCertificate(
            publicKey: keys.privateKey.publicKey, nodeID: current.nodeID, role: current.role, clusterID: current.clusterID,
            validity: validity)
        let path = directory.nodeCertificate.path
        var aside: String?
        if !dryRun {
            // The old certificate stays as it was, under a new name; the new one replaces it in
            // one rename, so swarm-node.crt is never missing.
            let old = AsideName.unused(for: path, at: now)
            try FileSync.replaceFile(
                path, with: Data(issued.pem.utf8), mode: try FileSync.mode(of: path, orIfMissing: 0o644), keepingPreviousAt: old)
            aside = old
        }
        return Result(
            certificatePath: path, previousMovedTo: aside, nodeID: current.nodeID, role: "\(current.role)",
            notBefore: validity.notBefore, notAfter: validity.notAfter, previousNotAfter: current.notAfter, dryRun: dryRun)
    }
}

public enum RenewalError: Error, Sendable, CustomStringConvertible {
    case noCertificate(path: String)
    case stillValid(path: String, notAfter: Date)
    case noClusterObject(path: String)
    case externalCA(path: String)
    case unusableCA(path: String, reason: String)

    public var description: String {
        switch self {
        case .noCertificate(let path): "\(path): no readable node certificate to renew"
        case .stillValid(let path, let notAfter):
            "\(path): valid until \(ISO8601DateFormatter().string(from: notAfter)); pass --force to renew it anyway"
        case .noClusterObject(let path): "\(path): the raft store holds no cluster object (and so no CA key)"
        case .externalCA(let path):
            "\(path): the cluster uses an external CA: its raft store holds no CA key; renew the certificate through that CA"
        case .unusableCA(let path, let reason): "\(path): the CA certificate or key in the raft store cannot be used: \(reason)"
        }
    }
}
