import Foundation
import SwarmFormats

/// Why `init` did not create a swarm. Descriptions are one line and never contain keys.
public enum InitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The target exists and holds something: a swarm is never created over existing state.
    case targetNotEmpty(path: String)
    /// The target exists and is not a directory.
    case targetNotADirectory(path: String)
    /// The folder the target would be created in does not exist.
    case parentMissing(path: String)
    case invalidAdvertiseAddress(String, reason: String)
    case cannotChooseAdvertiseAddress(String)
    case invalidHostname(String)
    case certificate(CertificateIssuanceError)
    case keyMaterial(KeyMaterialError)
    case encryption(String)
    /// A file-system step failed while building the folder (nothing was left at the target).
    case filesystem(path: String, operation: String, reason: String)
    /// The raft log could not be written.
    case raftLog(String)

    public var description: String {
        switch self {
        case .targetNotEmpty(let path):
            "\(path): already exists and is not empty; init only creates a new state directory"
        case .targetNotADirectory(let path):
            "\(path): exists and is not a directory"
        case .parentMissing(let path):
            "\(path): no such directory to create the state directory in"
        case .invalidAdvertiseAddress(let text, let reason):
            "invalid advertise address \"\(text)\": \(reason)"
        case .cannotChooseAdvertiseAddress(let reason):
            "cannot choose an address to advertise: \(reason)"
        case .invalidHostname(let text):
            "invalid hostname \"\(text)\""
        case .certificate(let error):
            "\(error)"
        case .keyMaterial(let error):
            "\(error)"
        case .encryption(let reason):
            "cannot encrypt the raft log: \(reason)"
        case .filesystem(let path, let operation, let reason):
            "\(path): cannot \(operation): \(reason)"
        case .raftLog(let reason):
            "cannot write the raft log: \(reason)"
        }
    }
}
