/// The record kinds of an etcd WAL (`walpb.Record.type`).
public enum WALRecordType: Int64, Sendable, CustomStringConvertible {
    case metadata = 1
    case entry = 2
    case state = 3
    case crc = 4
    case snapshot = 5

    public var description: String {
        switch self {
        case .metadata: "metadata"
        case .entry: "entry"
        case .state: "state"
        case .crc: "crc"
        case .snapshot: "snapshot"
        }
    }
}

/// Where a record sits, for error messages that let an operator find the bytes.
public struct WALPosition: Sendable, Equatable, CustomStringConvertible {
    public let segment: String
    public let offset: Int

    public var description: String { "\(segment) at byte \(offset)" }
}
