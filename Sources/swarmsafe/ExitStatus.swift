import Foundation
import S3Client
import SwarmBackup
import SwarmFormats
import SwarmConventions
import SwarmInit
import SwarmManager
import SwarmNode
import SwarmRecovery
import SwarmStateReplacement
import SwarmStore

/// swarmsafe's exit codes. Cron jobs and playbooks branch on these, so they only ever grow.
enum ExitStatus: Int32 {
    case ok = 0
    case failure = 1
    case usage = 2
    /// The node key is autolocked and no unlock key, or a wrong one, was given.
    case locked = 3
    /// Raft data, keys or certificates are damaged or do not decode.
    case corrupt = 4
    /// The state directory or a file it needs does not exist.
    case notFound = 5
    /// Another process holds what we need: a repository lock, or the state directory a
    /// restore would replace (a running daemon or another swarmsafe).
    case busy = 6
    /// The object store refused the credentials or the request (HTTP 403), or none were found.
    case denied = 7

    /// The status for one of our own errors; nil for ArgumentParser's, which it reports itself.
    init?(for error: Error) {
        switch error {
        case let e as StateDirectoryError:
            switch e {
            case .missing, .notADirectory, .notAStateDirectory, .noWAL: self = .notFound
            case .worker: self = .failure
            }
        case let e as FileAccessError:
            self = e.code == ENOENT ? .notFound : .failure
        case let e as KeyMaterialError:
            switch e {
            case .missing: self = .notFound
            case .unreadable: self = .failure
            case .malformed, .unsupported: self = .corrupt
            case .locked, .wrongUnlockKey, .invalidUnlockKey: self = .locked
            }
        case is WALError, is SnapshotError, is ReplayError, is RaftPayloadError, is StateFileError:
            self = .corrupt
        case let e as CocoaError where e.code == .fileReadNoSuchFile:
            self = .notFound
        case is AddressError:
            self = .usage
        case let e as InitError:
            switch e {
            case .address, .invalidListenAddress, .invalidHostname: self = .usage
            default: self = .failure
            }
        case let e as RewriteError:
            switch e {
            case .noMetadata, .noEncryptionKey: self = .corrupt
            default: self = .failure
            }
        case let e as StagingError:
            if case .parentMissing = e { self = .notFound } else { self = .failure }
        case let e as WALWriteError:
            // Another manager or swarmsafe holds the log: busy, like a held repository.
            if case .locked = e { self = .busy } else { self = .failure }
        case is SnapshotWriteError, is RaftCryptoError:
            self = .failure
        case let e as RepositoryError:
            switch e {
            case .locked: self = .busy
            case .missing: self = .notFound
            case .notADirectory, .fileSystem: self = .failure
            }
        case let e as ReplacementError:
            if case .held = e { self = .busy } else { self = .failure }
        case is RestoreError:
            self = .failure
        case let e as VerifyError:
            switch e {
            case .identityRequired, .decryption: self = .locked
            case .unreadable: self = .corrupt
            }
        case is RestoreErrorFindings, is CheckFailure:
            self = .corrupt
        case let e as AgeError:
            switch e {
            case .noMatchingIdentity, .incorrectPassphrase, .passphraseMismatch: self = .locked
            case .invalidRecipient, .invalidIdentity, .invalidBech32, .emptyPassphrase: self = .usage
            default: self = .corrupt
            }
        case let e as RecoveryError:
            if case .undecodableConfChange = e { self = .corrupt } else { self = .failure }
        case is NodeLoadError:
            self = .corrupt
        case is LogIndexOutOfRange:
            self = .usage
        case is RewindError:
            self = .failure
        case let e as RepairError:
            self = e.isUnsalvageable ? .corrupt : .failure
        case let e as ManagerError:
            if case .locked = e { self = .locked } else { self = .failure }
        case is RenewalError, is UnlockKeyChangeError:
            self = .failure
        case let e as CaptureError:
            if case .damaged = e { self = .corrupt } else { self = .failure }
        case is BackupError, is RetentionError:
            self = .failure
        case let e as S3Error:
            switch e {
            case .noSuchKey, .noSuchBucket: self = .notFound
            case .accessDenied, .noCredentials: self = .denied
            case .invalidLocation, .invalidEndpoint, .wrongRegion, .caFile, .credentialsFile: self = .usage
            case .preconditionFailed: self = .busy
            case .server, .transport, .tls, .malformedResponse: self = .failure
            }
        case is CommandError:
            self = .failure
        case is CocoaError:
            self = .failure
        default:
            return nil
        }
    }
}

/// A failure the command itself detects, already phrased for the operator.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
