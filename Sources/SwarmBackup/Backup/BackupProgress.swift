/// Where a long-running command is, for a progress bar. Reported often; cheap to ignore.
public struct BackupProgress: Sendable {
    public enum Phase: String, Sendable {
        case copying, archiving, checking, verifying
    }
    public let phase: Phase
    public let done: Int64
    public let total: Int64

    public init(phase: Phase, done: Int64, total: Int64) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}

public typealias ProgressHandler = (BackupProgress) -> Void
