import Foundation
import X509

public enum CertificateExpiry {
    /// When the first certificate of a PEM chain stops being valid; nil when there is none
    /// that parses (a node object may carry no certificate yet).
    public static func notAfter(pem: Data) -> Date? {
        guard let blocks = try? PEMBlock.parseAll(pem),
            let first = blocks.first(where: { $0.type == "CERTIFICATE" }),
            let certificate = try? Certificate(derEncoded: [UInt8](first.bytes))
        else { return nil }
        return certificate.notValidAfter
    }
}
