import Foundation
import Hummingbird
import SwarmFormats
import SwarmManager
import SwarmStore

/// An answer the Engine API gives instead of a result: a status code and the message the
/// docker CLI prints after "Error response from daemon: ".
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    /// Docker's own wording, so scripts that grep for it keep working.
    public static let lockedMessage =
        "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it."

    public static let locked = EngineError(.serviceUnavailable, lockedMessage)

    public static func notFound(_ kind: String, _ reference: String) -> EngineError {
        EngineError(.notFound, "\(kind) \(reference) not found")
    }

    public static func ambiguous(_ kind: String, _ reference: String, matches: Int) -> EngineError {
        EngineError(.badRequest, "\(kind) \(reference) is ambiguous (\(matches) matches found)")
    }

    public static func badRequest(_ message: String) -> EngineError {
        EngineError(.badRequest, message)
    }

    /// Errors that come from swarmkit's control API reach the CLI wrapped in gRPC's text;
    /// repeating it keeps messages identical to a real manager's.
    public static func rpc(_ status: HTTPResponse.Status, code: String, _ message: String) -> EngineError {
        EngineError(status, "rpc error: code = \(code) desc = \(message)")
    }

    public static let outOfSequence = rpc(.internalServerError, code: "Unknown", "update out of sequence")

    public static func nameConflict(_ kind: String, _ name: String) -> EngineError {
        rpc(.conflict, code: "AlreadyExists", "\(kind) \(name) already exists")
    }
}

extension EngineError {
    /// The answer for any error a request ran into. Unknown errors are a 500 with their text,
    /// as Docker answers errors it has no class for.
    public init(mapping error: any Error) {
        switch error {
        case let engine as EngineError:
            self = engine
        case let manager as ManagerError:
            self = Self(manager)
        case let store as StoreTransactionError:
            self = Self(store)
        case let key as KeyMaterialError:
            self = Self(key)
        case let spec as SpecConversionError:
            self = EngineError(.badRequest, spec.description)
        case is DecodingError:
            self = EngineError(.badRequest, "invalid JSON: \(Self.decodingProblem(error))")
        case let boot as EngineServer.BootFailure:
            self = EngineError(.serviceUnavailable, boot.description)
        default:
            self = EngineError(.internalServerError, String(describing: error))
        }
    }

    private init(_ error: ManagerError) {
        switch error {
        case .locked: self = .locked
        case .readOnly: self = EngineError(.forbidden, error.description)
        case .otherVoters, .stopped: self = EngineError(.serviceUnavailable, error.description)
        case .portInUse: self = .rpc(.badRequest, code: "InvalidArgument", error.description)
        case .nodeKeyNotFollowed: self = EngineError(.internalServerError, error.description)
        }
    }

    private init(_ error: StoreTransactionError) {
        switch error {
        case .exists: self = EngineError(.conflict, error.description)
        case .notFound: self = EngineError(.notFound, error.description)
        }
    }

    private init(_ error: KeyMaterialError) {
        switch error {
        case .wrongUnlockKey: self = EngineError(.unauthorized, "swarm could not be unlocked: invalid key provided")
        case .invalidUnlockKey(_, let problem): self = EngineError(.badRequest, problem.description)
        case .locked: self = .locked
        default: self = EngineError(.internalServerError, error.description)
        }
    }

    private static func decodingProblem(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return String(describing: error) }
        switch decoding {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }
}
