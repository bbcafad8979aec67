import Foundation
import SwarmFormats

/// The human-readable form of an `InspectReport`: a few aligned lines an operator can read
/// at 3 a.m.
public struct InspectSummary: Sendable {
    public let report: InspectReport

    public init(report: InspectReport) {
        self.report = report
    }

    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .number(let n): n == n.rounded() ? String(Int(n)) : String(n)
        case .bool(let b): String(b)
        default: "…"
        }
    }

    public var text: String {
        var lines: [(String, String)] = []
        lines.append(("state dir", report.stateDir))
        lines.append(("cluster", report.clusterID ?? "unknown"))
        lines.append(("node", "\(report.nodeID ?? "unknown") (\(report.role))"))
        if let raft = report.raft {
            lines.append(("raft", "term \(raft.term), commit \(raft.commit), last index \(raft.lastIndex), snapshot at \(raft.snapshotIndex)"))
            let members = raft.members.map { "\($0.nodeID.isEmpty ? "?" : $0.nodeID) \($0.raftID) \($0.addr)" }
            lines.append(("members", members.isEmpty ? "none" : members.joined(separator: "\n")))
            if !raft.removed.isEmpty { lines.append(("removed", raft.removed.joined(separator: ", "))) }
        } else {
            lines.append(("raft", "none (a worker keeps no raft log)"))
        }
        if let objects = report.objects {
            let order = ["nodes", "services", "tasks", "networks", "secrets", "configs", "clusters", "extensions", "resources", "volumes"]
            let text = order.compactMap { key in objects[key].map { "\($0) \(key)" } }.joined(separator: ", ")
            lines.append(("objects", text))
        }
        if !report.knownManagers.isEmpty {
            lines.append(("state.json", report.knownManagers.map { "\($0.nodeID) \($0.addr)" }.joined(separator: "\n")))
        }
        if let docker = report.dockerState {
            let keys = ["AdvertiseAddr", "ListenAddr", "DataPathAddr", "DataPathPort"]
            let text = keys.compactMap { key in docker[key].map { "\(key)=\(Self.render($0))" } }.joined(separator: " ")
            lines.append(("docker-state", text.isEmpty ? "present" : text))
        }
        let e = report.encryption
        var encryption = e.algorithm + (e.locked ? ", autolocked" : ", not autolocked")
        if e.pendingDEK { encryption += ", DEK rotation pending" }
        lines.append(("encryption", encryption))
        if let c = report.certificate {
            let formatter = ISO8601DateFormatter()
            lines.append(("certificate", "\(c.role), valid \(formatter.string(from: c.notBefore)) to \(formatter.string(from: c.notAfter))"))
            lines.append(("root CA", "sha256:\(c.rootCASHA256)"))
        }
        let width = lines.map(\.0.count).max() ?? 0
        var out = ""
        for (label, value) in lines {
            let pad = String(repeating: " ", count: width - label.count)
            let indent = String(repeating: " ", count: width + 2)
            out += "\(label)\(pad)  " + value.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + indent) + "\n"
        }
        for warning in report.warnings { out += "warning: \(warning)\n" }
        return out
    }
}
