/// Why a WAL could not be created or appended to. File-system failures are reported as
/// `FileAccessError` (path, operation, errno); these are the WAL's own refusals.
public enum WALWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `create` never writes into an existing directory.
    case directoryExists(path: String)
    /// The directory the WAL should be created in does not exist.
    case parentMissing(path: String)
    /// Another process (a running manager, another swarmsafe) holds the segment's lock.
    case locked(path: String)
    /// The WAL has no metadata record, so a new segment could not start with one.
    case noMetadata(directory: String)
    /// etcd ≥ 3.5 refuses to save a snapshot record after index 0 without its conf state.
    case snapshotWithoutConfState(index: UInt64)
    /// etcd 3.5's decoder refuses records of this size.
    case recordTooLarge(type: WALRecordType, size: Int, limit: Int)

    public var description: String {
        switch self {
        case .directoryExists(let path):
            "\(path): already exists; a new WAL is only created where there is none"
        case .parentMissing(let path):
            "\(path): no such directory to create the WAL in"
        case .locked(let path):
            "\(path): WAL segment is locked by another process (is a manager or another swarmsafe running on this folder?)"
        case .noMetadata(let directory):
            "\(directory): the WAL has no metadata record to continue with"
        case .snapshotWithoutConfState(let index):
            "WAL snapshot record for index \(index) has no conf state (etcd requires one after index 0)"
        case .recordTooLarge(let type, let size, let limit):
            "WAL \(type) record of \(size) bytes exceeds etcd's limit of \(limit) bytes"
        }
    }
}
