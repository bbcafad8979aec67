import Foundation

/// Why a command that replaces or reads a state directory left it as it was. Each description
/// is one line naming the path.
public enum ReplacementError: Error, CustomStringConvertible, Sendable {
    /// Something holds the state directory: a running swarm manager (its WAL lock) or another
    /// swarmsafe process (its directory lock). `use` is what we were about to do.
    case held(path: String, holders: [StateDirectoryHolder], use: StateDirectoryUse)
    /// The new folder could not be put in place; `reason` says what is where.
    case swapFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .held(let path, let holders, let use):
            return "\(path): \(Self.describe(holders, use: use))"
        case .swapFailed(let path, let reason):
            return "\(path): cannot put the new state directory in place: \(reason)"
        }
    }

    private static func describe(_ holders: [StateDirectoryHolder], use: StateDirectoryUse) -> String {
        var segments: [String] = []
        var raftPIDs: [Int32] = []
        var swarmsafePIDs: [Int32] = []
        var swarmsafe = false
        for holder in holders {
            switch holder {
            case .raftWriter(let segment, let pid):
                segments.append(segment)
                if let pid, !raftPIDs.contains(pid) { raftPIDs.append(pid) }
            case .swarmsafe(let pid):
                swarmsafe = true
                if let pid, !swarmsafePIDs.contains(pid) { swarmsafePIDs.append(pid) }
            }
        }
        func pids(_ list: [Int32]) -> String {
            list.isEmpty ? "" : (list.count == 1 ? "pid " : "pids ") + list.map(String.init).joined(separator: ", ")
        }
        var parts: [String] = []
        if let first = segments.first {
            var what = segments.count == 1
                ? "WAL segment \(first) is locked"
                : "WAL segment \(first) and \(segments.count - 1) more are locked"
            if !raftPIDs.isEmpty { what += " by \(pids(raftPIDs))" }
            parts.append("in use by a running swarm manager (\(what))")
        }
        if swarmsafe {
            let who = swarmsafePIDs.isEmpty ? "" : " (\(pids(swarmsafePIDs)))"
            parts.append((parts.isEmpty ? "in use by" : "also in use by") + " another swarmsafe process\(who)")
        }
        guard !parts.isEmpty else { return "in use" }
        if !segments.isEmpty {
            parts.append("stop Docker (systemctl stop docker) before \(use.inProgress)")
        } else {
            parts.append("wait for it to finish before \(use.inProgress)")
        }
        return parts.joined(separator: "; ")
    }
}
