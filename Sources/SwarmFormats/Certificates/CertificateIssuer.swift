import Crypto
import Foundation
import SwiftASN1
import X509

/// Why a root CA or a node certificate could not be made. Descriptions never contain keys.
public enum CertificateIssuanceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A subject field (node ID, cluster ID) swarmkit could not have put in a certificate.
    case invalidSubjectField(field: String, value: String)
    /// Only managers and workers get node certificates.
    case unsupportedRole(String)
    /// The X.509 library refused to build, sign or encode the certificate.
    case encodingFailed(String)

    public var description: String {
        switch self {
        case .invalidSubjectField(let field, let value): "cannot put \(field) \"\(value)\" in a certificate subject"
        case .unsupportedRole(let role): "node certificates are issued to managers and workers, not \"\(role)\""
        case .encodingFailed(let reason): "cannot build the certificate: \(reason)"
        }
    }
}

/// A certificate's validity window as swarmkit's CA library (cfssl) computes it: the issue
/// time rounded to the nearest minute, minus a backdate that tolerates clock skew between
/// nodes; the end is the start plus the expiry.
public struct CertificateValidity: Sendable, Equatable {
    public var notBefore: Date
    public var notAfter: Date

    public init(notBefore: Date, notAfter: Date) {
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// swarmkit's root CA lifetime: 630720000 s (20 years of 365 days).
    public static let rootCAExpiry: TimeInterval = 630_720_000
    /// swarmkit's default node certificate lifetime: 2160 h (90 days); also the cluster
    /// spec's `ca_config.node_cert_expiry`.
    public static let defaultNodeCertificateExpiry: TimeInterval = 2160 * 3600
    /// Node certificates start one hour early; swarmkit adds the same hour to the expiry
    /// so the certificate still lasts the full configured lifetime from now.
    public static let nodeCertificateBackdate: TimeInterval = 3600
    /// cfssl's default backdate, used for the root CA.
    public static let rootCABackdate: TimeInterval = 300

    public static func rootCA(issuedAt now: Date) -> CertificateValidity {
        let start = roundedToMinute(now).addingTimeInterval(-rootCABackdate)
        return CertificateValidity(notBefore: start, notAfter: start.addingTimeInterval(rootCAExpiry))
    }

    public static func nodeCertificate(issuedAt now: Date, expiry: TimeInterval = defaultNodeCertificateExpiry) -> CertificateValidity {
        let start = roundedToMinute(now).addingTimeInterval(-nodeCertificateBackdate)
        return CertificateValidity(notBefore: start, notAfter: start.addingTimeInterval(expiry + nodeCertificateBackdate))
    }

    /// Go's `time.Round(time.Minute)`: halfway rounds up.
    static func roundedToMinute(_ date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (seconds / 60 + 0.5).rounded(.down) * 60)
    }
}

/// A node certificate fresh from the CA.
public struct IssuedCertificate: Sendable {
    public let certificate: Certificate
    public let der: Data

    public init(certificate: Certificate, der: Data) {
        self.certificate = certificate
        self.der = der
    }

    /// Wraps certificate DER (e.g. one read back from `swarm-node.crt`).
    public init(der: Data) throws(CertificateIssuanceError) {
        do {
            self.init(certificate: try Certificate(derEncoded: [UInt8](der)), der: der)
        } catch {
            throw .encodingFailed("not a certificate: \(error)")
        }
    }

    /// One `CERTIFICATE` PEM block, as in `swarm-node.crt`.
    public var pem: String { PEMBlock(type: "CERTIFICATE", bytes: der).encoded() }
}

/// A swarm's root certificate authority, created the way swarmkit's `CreateRootCA` does
/// (ECDSA P-256, subject `CN=swarm-ca`, 20 years), and able to sign node certificates as
/// swarmkit's CA signer does. The private key is secret: it belongs in the cluster object
/// of the raft store and nowhere else.
public struct CertificateIssuer: Sendable {
    public static let rootCommonName = "swarm-ca"
    public static let managerOrganizationalUnit = "swarm-manager"
    public static let workerOrganizationalUnit = "swarm-worker"

    public let rootCertificate: Certificate
    /// DER of `rootCertificate`.
    public let rootDER: Data
    public let privateKey: P256.Signing.PrivateKey

    public init(rootCertificate: Certificate, privateKey: P256.Signing.PrivateKey) throws(CertificateIssuanceError) {
        self.rootCertificate = rootCertificate
        self.privateKey = privateKey
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(rootCertificate)
            rootDER = Data(serializer.serializedBytes)
        } catch {
            throw .encodingFailed("\(error)")
        }
    }

    /// An existing CA, from the PEM pair a cluster object keeps (`root_ca.ca_cert`,
    /// `root_ca.ca_key`: SEC 1 or PKCS#8). The key must belong to the certificate.
    public init(rootCertificatePEM: Data, privateKeyPEM: Data) throws(CertificateIssuanceError) {
        let certificate: Certificate
        let key: P256.Signing.PrivateKey
        do {
            let certificateBlock = try PEMBlock.parse(rootCertificatePEM)
            certificate = try Certificate(derEncoded: [UInt8](certificateBlock.bytes))
        } catch {
            throw .encodingFailed("the CA certificate does not parse: \(error)")
        }
        do {
            key = try P256.Signing.PrivateKey(derRepresentation: PEMBlock.parse(privateKeyPEM).bytes)
        } catch {
            throw .encodingFailed("the CA key is not an EC P-256 private key")
        }
        guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw .encodingFailed("the CA key does not belong to the CA certificate")
        }
        try self.init(rootCertificate: certificate, privateKey: key)
    }

    /// A new self-signed root. The key and serial number are random unless given.
    public static func createRoot(
        issuedAt now: Date, privateKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey(),
        serialNumber: Certificate.SerialNumber? = nil
    ) throws(CertificateIssuanceError) -> CertificateIssuer {
        let name = try distinguishedName([(.RDNAttributeType.commonName, "CN", rootCommonName)])
        let validity = CertificateValidity.rootCA(issuedAt: now)
        do {
            let extensions = try Certificate.Extensions {
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                SubjectKeyIdentifier(keyIdentifier: keyIdentifier(privateKey.publicKey))
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: serialNumber ?? randomSerialNumber(),
                publicKey: Certificate.PublicKey(privateKey.publicKey),
                notValidBefore: validity.notBefore, notValidAfter: validity.notAfter,
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(privateKey))
            return try CertificateIssuer(rootCertificate: certificate, privateKey: privateKey)
        } catch let error as CertificateIssuanceError {
            throw error
        } catch {
            throw .encodingFailed("\(error)")
        }
    }

    // MARK: what swarmkit stores about the root

    /// `swarm-root-ca.crt`, and `Cluster.root_ca.ca_cert`.
    public var rootCertificatePEM: String { PEMBlock(type: "CERTIFICATE", bytes: rootDER).encoded() }

    /// SHA-256 of the root certificate *PEM* (not the DER): swarmkit's root CA digest, used in
    /// `Cluster.root_ca.ca_cert_hash` and, in base 36, in join tokens.
    public var rootDigest: Data { Self.rootDigest(ofCertificatePEM: Data(rootCertificatePEM.utf8)) }

    /// The same digest of a root certificate PEM as the cluster object stores it
    /// (`Cluster.root_ca.ca_cert`), for tokens made after `init`.
    public static func rootDigest(ofCertificatePEM pem: Data) -> Data { Data(SHA256.hash(data: pem)) }

    /// `sha256:<hex>`, as `Cluster.root_ca.ca_cert_hash` holds it.
    public var rootDigestText: String { "sha256:" + rootDigest.map { String(format: "%02x", $0) }.joined() }

    /// The root's private key as an `EC PRIVATE KEY` (SEC 1) PEM block, the form
    /// `Cluster.root_ca.ca_key` holds. Secret.
    public func privateKeyPEM() throws(CertificateIssuanceError) -> String {
        PEMBlock(type: "EC PRIVATE KEY", bytes: try SEC1PrivateKey.der(privateKey)).encoded()
    }

    /// DER of the root's subject name (`NodeTLSInfo.cert_issuer_subject`).
    public func rootSubjectDER() throws(CertificateIssuanceError) -> Data {
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(rootCertificate.subject)
            return Data(serializer.serializedBytes)
        } catch {
            throw .encodingFailed("\(error)")
        }
    }

    /// DER of the root's SubjectPublicKeyInfo (`NodeTLSInfo.cert_issuer_public_key`).
    public var rootPublicKeyInfoDER: Data { privateKey.publicKey.derRepresentation }

    // MARK: node certificates

    /// Signs a node certificate the way swarmkit's CA does: subject O=cluster ID,
    /// OU=role, CN=node ID; DNS names role, node ID and, for managers, `swarm-ca` (managers
    /// serve the CA); TLS server and client use; random 20-byte serial.
    public func issueNodeCertificate(
        publicKey: P256.Signing.PublicKey, nodeID: String, role: NodeRole, clusterID: String,
        validity: CertificateValidity, serialNumber: Certificate.SerialNumber? = nil
    ) throws(CertificateIssuanceError) -> IssuedCertificate {
        let organizationalUnit: String
        var dnsNames: [String]
        switch role {
        case .manager:
            organizationalUnit = Self.managerOrganizationalUnit
            dnsNames = [organizationalUnit, nodeID, Self.rootCommonName]
        case .worker:
            organizationalUnit = Self.workerOrganizationalUnit
            dnsNames = [organizationalUnit, nodeID]
        case .other(let text):
            throw .unsupportedRole(text)
        }
        let subject = try Self.distinguishedName([
            (.RDNAttributeType.organizationName, "O (cluster ID)", clusterID),
            (.RDNAttributeType.organizationalUnitName, "OU (role)", organizationalUnit),
            (.RDNAttributeType.commonName, "CN (node ID)", nodeID),
        ])
        do {
            let extensions = try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectKeyIdentifier(keyIdentifier: Self.keyIdentifier(publicKey))
                AuthorityKeyIdentifier(keyIdentifier: Self.keyIdentifier(privateKey.publicKey))
                SubjectAlternativeNames(dnsNames.map { GeneralName.dnsName($0) })
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: serialNumber ?? Self.randomSerialNumber(),
                publicKey: Certificate.PublicKey(publicKey),
                notValidBefore: validity.notBefore, notValidAfter: validity.notAfter,
                issuer: rootCertificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(privateKey))
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return IssuedCertificate(certificate: certificate, der: Data(serializer.serializedBytes))
        } catch {
            throw .encodingFailed("\(error)")
        }
    }

    /// A new node key pair and its certificate. The key comes back as PKCS#8 DER, the form
    /// swarmkit keeps in `swarm-node.key` (BoringSSL and Go both omit the inner curve
    /// parameters and keep the public key, so the bytes have the same layout).
    public func issueNodeCredentials(
        nodeID: String, role: NodeRole, clusterID: String, validity: CertificateValidity
    ) throws(CertificateIssuanceError) -> (privateKey: PlainPrivateKey, certificate: IssuedCertificate) {
        let key = P256.Signing.PrivateKey()
        let certificate = try issueNodeCertificate(
            publicKey: key.publicKey, nodeID: nodeID, role: role, clusterID: clusterID, validity: validity)
        return (PlainPrivateKey(der: key.derRepresentation, isPKCS8: true), certificate)
    }

    // MARK: helpers

    /// cfssl's serial: 20 random bytes with the sign bit cleared, so it stays positive.
    static func randomSerialNumber() -> Certificate.SerialNumber {
        var bytes = [UInt8](SecureRandom.bytes(20))
        bytes[0] &= 0x7F
        return Certificate.SerialNumber(bytes: bytes)
    }

    /// cfssl's key identifier: SHA-1 over the public key's BIT STRING contents (the point).
    static func keyIdentifier(_ key: P256.Signing.PublicKey) -> ArraySlice<UInt8> {
        ArraySlice(Insecure.SHA1.hash(data: key.x963Representation))
    }

    /// Go encodes each attribute as PrintableString when the text allows it, else UTF8String;
    /// swarm IDs always fit PrintableString, so a certificate matches swarmkit's byte for byte.
    static func distinguishedName(
        _ attributes: [(type: ASN1ObjectIdentifier, field: String, value: String)]
    ) throws(CertificateIssuanceError) -> DistinguishedName {
        var rdns: [RelativeDistinguishedName] = []
        for attribute in attributes {
            guard !attribute.value.isEmpty, !attribute.value.contains(where: \.isNewline) else {
                throw .invalidSubjectField(field: attribute.field, value: attribute.value)
            }
            let value: RelativeDistinguishedName.Attribute
            if let printable = try? RelativeDistinguishedName.Attribute(type: attribute.type, printableString: attribute.value) {
                value = printable
            } else {
                value = RelativeDistinguishedName.Attribute(type: attribute.type, utf8String: attribute.value)
            }
            rdns.append(RelativeDistinguishedName(value))
        }
        return DistinguishedName(rdns)
    }
}

/// SEC 1 `ECPrivateKey` DER with the curve and public key, as Go's `x509.MarshalECPrivateKey`
/// writes it (swarmkit keeps the root CA key in this form).
enum SEC1PrivateKey {
    static func der(_ key: P256.Signing.PrivateKey) throws(CertificateIssuanceError) -> Data {
        do {
            var serializer = DER.Serializer()
            try serializer.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(1)
                try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(key.rawRepresentation)))
                try coder.serialize(
                    ASN1ObjectIdentifier.NamedCurves.secp256r1, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
                try coder.serialize(
                    ASN1BitString(bytes: ArraySlice(key.publicKey.x963Representation)),
                    explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
            }
            return Data(serializer.serializedBytes)
        } catch {
            throw .encodingFailed("SEC 1 private key: \(error)")
        }
    }
}

extension CertificateIssuer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The CA key stays out of logs and debugger dumps, whatever prints this value.
    public var description: String { "CertificateIssuer(\(rootCertificate.subject), key redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
