import Foundation

/// The summary of a node's certificates that reports need: identity from the node
/// certificate, the root CA digest, and whether the chain verifies.
public struct NodeCertificateInfo: Sendable, Equatable {
    /// Subject CN.
    public var nodeID: String
    /// `manager`, `worker`, or the subject OU when it is neither.
    public var role: String
    public var nodeRole: NodeRole
    /// Subject O.
    public var clusterID: String
    public var notBefore: Date
    public var notAfter: Date
    /// Issuer of the node certificate, RFC 4514 text (`CN=swarm-ca`).
    public var issuer: String
    /// SHA-256 (lower-case hex) of the first root CA certificate's DER.
    public var rootCASHA256: String
    /// The node certificate's signature chain ends at a root in `swarm-root-ca.crt`.
    public var chainsToRoot: Bool

    public init(_ certificates: SwarmCertificates) {
        nodeID = certificates.node.nodeID
        nodeRole = certificates.node.role
        role = certificates.node.role.description
        clusterID = certificates.node.clusterID
        notBefore = certificates.node.notBefore
        notAfter = certificates.node.notAfter
        issuer = certificates.node.issuer
        rootCASHA256 = certificates.root?.sha256 ?? ""
        chainsToRoot = certificates.chainsToRoot
    }

    /// Reads `swarm-node.crt` and `swarm-root-ca.crt`.
    public static func load(nodeCertificate: URL, rootCA: URL) throws(CertificateError) -> NodeCertificateInfo {
        NodeCertificateInfo(try SwarmCertificates.load(nodeCertificate: nodeCertificate, rootCA: rootCA))
    }

    /// Reads the certificates of a state directory.
    public static func load(stateDirectory: URL) throws(CertificateError) -> NodeCertificateInfo {
        NodeCertificateInfo(try SwarmCertificates.load(stateDirectory: stateDirectory))
    }
}
