import Crypto
import Foundation
import SwiftASN1
import X509

/// A node's role as its certificate states it (subject OU).
public enum NodeRole: Sendable, Hashable, CustomStringConvertible {
    /// OU `swarm-manager`.
    case manager
    /// OU `swarm-worker`.
    case worker
    /// Any other OU (or none: empty string).
    case other(String)

    public init(organizationalUnit: String?) {
        switch organizationalUnit {
        case "swarm-manager": self = .manager
        case "swarm-worker": self = .worker
        default: self = .other(organizationalUnit ?? "")
        }
    }

    /// `manager`, `worker`, or the OU text.
    public var description: String {
        switch self {
        case .manager: "manager"
        case .worker: "worker"
        case .other(let ou): ou
        }
    }
}

public enum CertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(file: String)
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    case noCertificate(file: String)
    case missingSubjectField(file: String, field: String)

    public var description: String {
        switch self {
        case .missing(let file): "\(file): certificate file not found"
        case .unreadable(let file, let reason): "\(file): cannot read certificate file: \(reason)"
        case .malformed(let file, let reason): "\(file): malformed certificate: \(reason)"
        case .noCertificate(let file): "\(file): no CERTIFICATE block"
        case .missingSubjectField(let file, let field): "\(file): the node certificate has no subject \(field)"
        }
    }
}

/// The facts a swarm node certificate carries.
public struct NodeCertificate: Sendable {
    public let certificate: Certificate
    /// The DER bytes as stored.
    public let der: Data
    /// Subject CN.
    public let nodeID: String
    /// Subject OU as a role.
    public let role: NodeRole
    /// Subject O.
    public let clusterID: String
    public var notBefore: Date { certificate.notValidBefore }
    public var notAfter: Date { certificate.notValidAfter }
    /// Issuer distinguished name, RFC 4514 text (e.g. `CN=swarm-ca`).
    public var issuer: String { certificate.issuer.description }
    public var subject: String { certificate.subject.description }
    /// SHA-256 of `der`, lower-case hex.
    public var sha256: String { CertificateFingerprint.sha256Hex(der) }

    public func isValid(at date: Date) -> Bool {
        notBefore <= date && date <= notAfter
    }
}

/// A root CA certificate from `swarm-root-ca.crt`.
public struct RootCertificate: Sendable {
    public let certificate: Certificate
    public let der: Data
    public var subject: String { certificate.subject.description }
    public var notBefore: Date { certificate.notValidBefore }
    public var notAfter: Date { certificate.notValidAfter }
    /// SHA-256 of `der`, lower-case hex (the root CA digest swarmkit's join tokens embed, in base 36 there).
    public var sha256: String { CertificateFingerprint.sha256Hex(der) }
}

/// `certificates/swarm-node.crt` (node certificate, then any intermediates) and
/// `certificates/swarm-root-ca.crt` (one or more roots) of a node.
public struct SwarmCertificates: Sendable {
    public static let nodeCertificatePath = "certificates/swarm-node.crt"
    public static let rootCAPath = "certificates/swarm-root-ca.crt"

    public let node: NodeCertificate
    /// Certificates after the node certificate in `swarm-node.crt`.
    public let intermediates: [Certificate]
    public let roots: [RootCertificate]

    /// The first root (the one in use outside a root rotation).
    public var root: RootCertificate? { roots.first }

    public init(nodeChainPEM: Data, rootsPEM: Data, nodeFile: String = "swarm-node.crt", rootFile: String = "swarm-root-ca.crt") throws(CertificateError) {
        let chain = try Self.certificates(in: nodeChainPEM, file: nodeFile)
        let roots = try Self.certificates(in: rootsPEM, file: rootFile)
        guard let first = chain.first else { throw CertificateError.noCertificate(file: nodeFile) }
        let subject = first.certificate.subject
        guard let nodeID = Self.attribute(.RDNAttributeType.commonName, in: subject) else {
            throw CertificateError.missingSubjectField(file: nodeFile, field: "CN (node ID)")
        }
        guard let clusterID = Self.attribute(.RDNAttributeType.organizationName, in: subject) else {
            throw CertificateError.missingSubjectField(file: nodeFile, field: "O (cluster ID)")
        }
        let ou = Self.attribute(.RDNAttributeType.organizationalUnitName, in: subject)
        node = NodeCertificate(certificate: first.certificate, der: first.der, nodeID: nodeID,
                               role: NodeRole(organizationalUnit: ou), clusterID: clusterID)
        intermediates = chain.dropFirst().map(\.certificate)
        self.roots = roots.map { RootCertificate(certificate: $0.certificate, der: $0.der) }
    }

    /// Reads both files of a node's state directory.
    public static func load(stateDirectory: URL) throws(CertificateError) -> SwarmCertificates {
        try load(nodeCertificate: stateDirectory.appendingPathComponent(nodeCertificatePath),
                 rootCA: stateDirectory.appendingPathComponent(rootCAPath))
    }

    public static func load(nodeCertificate: URL, rootCA: URL) throws(CertificateError) -> SwarmCertificates {
        try SwarmCertificates(nodeChainPEM: read(nodeCertificate.path), rootsPEM: read(rootCA.path),
                              nodeFile: nodeCertificate.path, rootFile: rootCA.path)
    }

    /// True when the node certificate's signature chain (through the intermediates in
    /// `swarm-node.crt`) ends at one of the roots: every link's issuer name matches the
    /// next subject and its signature verifies with the next public key. Validity dates are
    /// not considered.
    public var chainsToRoot: Bool {
        var current = node.certificate
        var remaining = intermediates
        for _ in 0...intermediates.count {
            if roots.contains(where: { Self.signs($0.certificate, current) }) { return true }
            guard let index = remaining.firstIndex(where: { Self.signs($0, current) }) else { return false }
            current = remaining.remove(at: index)
        }
        return false
    }

    /// True when `privateKey` belongs to the node certificate.
    public func matches(privateKey: P256.Signing.PrivateKey) -> Bool {
        node.certificate.publicKey == Certificate.PublicKey(privateKey.publicKey)
    }

    // MARK: helpers

    private static func signs(_ issuer: Certificate, _ subject: Certificate) -> Bool {
        issuer.subject == subject.issuer && issuer.publicKey.isValidSignature(subject.signature, for: subject)
    }

    private static func attribute(_ type: ASN1ObjectIdentifier, in name: DistinguishedName) -> String? {
        for rdn in name {
            for attribute in rdn where attribute.type == type {
                return String(attribute.value) ?? attribute.value.description
            }
        }
        return nil
    }

    private static func read(_ path: String) throws(CertificateError) -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw CertificateError.missing(file: path) }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CertificateError.unreadable(file: path, reason: error.localizedDescription)
        }
    }

    private static func certificates(in pem: Data, file: String) throws(CertificateError) -> [(certificate: Certificate, der: Data)] {
        let blocks: [PEMBlock]
        do {
            blocks = try PEMBlock.parseAll(pem)
        } catch {
            throw CertificateError.malformed(file: file, reason: error.description)
        }
        var result: [(certificate: Certificate, der: Data)] = []
        for block in blocks where block.type == "CERTIFICATE" {
            do {
                result.append((try Certificate(derEncoded: [UInt8](block.bytes)), block.bytes))
            } catch {
                throw CertificateError.malformed(file: file, reason: "\(error)")
            }
        }
        guard !result.isEmpty else { throw CertificateError.noCertificate(file: file) }
        return result
    }
}

public enum CertificateFingerprint {
    public static func sha256Hex(_ der: Data) -> String {
        SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }
}
