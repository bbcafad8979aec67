/// What swarmsafe was about to do with a state directory when it found the folder held. A
/// refusal names it, so the operator reads what to stop before what ("stop Docker before
/// changing the unlock key"), not the words of another command.
public enum StateDirectoryUse: String, Sendable, CaseIterable {
    case restore
    case backup
    case keyChange = "key change"
    case repair
    case recovery
    case certificateRenewal = "certificate renewal"
    case rewind

    /// The operation as it reads after "before …".
    public var inProgress: String {
        switch self {
        case .restore: "restoring"
        case .backup: "backing up"
        case .keyChange: "changing the unlock key"
        case .repair: "repairing"
        case .recovery: "recovering"
        case .certificateRenewal: "renewing the certificates"
        case .rewind: "rewinding"
        }
    }
}
