import Foundation
import SwarmConventions
import SwarmFormats

/// Why `init` did not create a swarm. Descriptions are one line and never contain keys.
public enum InitError: Error, Sendable, Equatable, CustomStringConvertible {
    case address(AddressError)
    case invalidListenAddress(String, reason: String)
    case invalidHostname(String)
    case certificate(CertificateIssuanceError)
    case keyMaterial(KeyMaterialError)
    case encryption(String)
    /// The raft log could not be written.
    case raftLog(String)

    public var description: String {
        switch self {
        case .address(let error):
            "\(error)"
        case .invalidListenAddress(let text, let reason):
            "invalid listen address \"\(text)\": \(reason)"
        case .invalidHostname(let text):
            "invalid hostname \"\(text)\""
        case .certificate(let error):
            "\(error)"
        case .keyMaterial(let error):
            "\(error)"
        case .encryption(let reason):
            "cannot encrypt the raft log: \(reason)"
        case .raftLog(let reason):
            "cannot write the raft log: \(reason)"
        }
    }
}
