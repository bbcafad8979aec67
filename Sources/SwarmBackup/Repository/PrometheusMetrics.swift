#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats

/// The outcome of one backup run, for node_exporter's textfile collector.
public struct BackupMetrics: Sendable, Equatable {
    public enum Result: String, Sendable, Equatable {
        case success
        case failure
    }

    public var result: Result
    public var startTime: Date
    /// Seconds the run took.
    public var duration: TimeInterval
    /// The archive's size, when one was written.
    public var archiveBytes: Int64?
    /// The raft index and term the backup captured.
    public var raftIndex: UInt64?
    public var raftTerm: UInt64?
    /// Objects in the captured store by kind (`"services"`, `"secrets"`, ...).
    public var objectCounts: [String: Int]
    public var clusterID: String?
    public var nodeID: String?

    public init(
        result: Result, startTime: Date, duration: TimeInterval, archiveBytes: Int64? = nil,
        raftIndex: UInt64? = nil, raftTerm: UInt64? = nil, objectCounts: [String: Int] = [:],
        clusterID: String? = nil, nodeID: String? = nil
    ) {
        self.result = result
        self.startTime = startTime
        self.duration = duration
        self.archiveBytes = archiveBytes
        self.raftIndex = raftIndex
        self.raftTerm = raftTerm
        self.objectCounts = objectCounts
        self.clusterID = clusterID
        self.nodeID = nodeID
    }

    /// When the run ended: the time both timestamps report.
    public var endTime: Date { startTime.addingTimeInterval(max(0, duration)) }
}

/// Files for node_exporter's textfile collector (`--collector.textfile.directory`), in the
/// Prometheus text exposition format, every metric a gauge.
public enum PrometheusTextfile {
    public static let lastRunMetric = "swarmsafe_backup_last_run_timestamp_seconds"
    public static let lastSuccessMetric = "swarmsafe_backup_last_success_timestamp_seconds"
    public static let successMetric = "swarmsafe_backup_success"
    public static let durationMetric = "swarmsafe_backup_duration_seconds"
    public static let archiveBytesMetric = "swarmsafe_backup_archive_bytes"
    public static let raftIndexMetric = "swarmsafe_backup_raft_index"
    public static let raftTermMetric = "swarmsafe_backup_raft_term"
    public static let objectsMetric = "swarmsafe_backup_objects"

    /// The file's text. The last-success time is the run's end time on success; on failure it
    /// is `previousLastSuccess` (from the file the run replaces), and is left out when there was
    /// never a success, so a failure never erases or invents the last good time.
    public static func render(_ metrics: BackupMetrics, previousLastSuccess: Double?) -> String {
        var baseLabels: [(String, String)] = []
        if let clusterID = metrics.clusterID { baseLabels.append(("cluster_id", clusterID)) }
        if let nodeID = metrics.nodeID { baseLabels.append(("node_id", nodeID)) }

        var out = ""
        func family(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: String)]) {
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) \(help)\n"
            out += "# TYPE \(name) gauge\n"
            for sample in samples {
                out += name + labelSet(sample.labels) + " " + sample.value + "\n"
            }
        }

        let end = metrics.endTime.timeIntervalSince1970
        let lastSuccess: Double? =
            metrics.result == .success ? end : previousLastSuccess.flatMap { $0.isFinite ? $0 : nil }

        family(lastRunMetric, "Unix time the last swarmsafe backup run ended, successful or not.",
            [(baseLabels, seconds(end))])
        family(lastSuccessMetric, "Unix time the last successful swarmsafe backup run ended.",
            lastSuccess.map { [(baseLabels, seconds($0))] } ?? [])
        family(successMetric, "Whether the last swarmsafe backup run succeeded (1) or failed (0).",
            [(baseLabels, metrics.result == .success ? "1" : "0")])
        family(durationMetric, "Seconds the last swarmsafe backup run took.",
            [(baseLabels, seconds(max(0, metrics.duration)))])
        family(archiveBytesMetric, "Size in bytes of the archive the last swarmsafe backup run wrote.",
            metrics.archiveBytes.map { [(baseLabels, String($0))] } ?? [])
        family(raftIndexMetric, "Raft index of the swarm state captured by the last swarmsafe backup run.",
            metrics.raftIndex.map { [(baseLabels, String($0))] } ?? [])
        family(raftTermMetric, "Raft term of the swarm state captured by the last swarmsafe backup run.",
            metrics.raftTerm.map { [(baseLabels, String($0))] } ?? [])
        family(objectsMetric, "Objects of each kind in the swarm state captured by the last swarmsafe backup run.",
            metrics.objectCounts.sorted { $0.key < $1.key }.map { kind, count in
                (baseLabels + [("kind", kind)], String(count))
            })
        return out
    }

    /// Writes the file atomically (`FileSync.replaceFile`: a synced temporary sibling renamed
    /// over `path`, mode 0644), so node_exporter never reads a half-written file. (The textfile collector reads only
    /// `*.prom`, so the temporary name is never collected.) On failure the last-success time is
    /// carried over from the existing file at `path`.
    public static func write(_ metrics: BackupMetrics, to givenPath: String) throws(FileAccessError) {
        // Absolute: Foundation's path helpers trap on a bare relative name.
        let path = URL(fileURLWithPath: givenPath).standardizedFileURL.path
        let previous = metrics.result == .success ? nil : readLastSuccess(from: path)
        let text = render(metrics, previousLastSuccess: previous)
        try FileSync.replaceFile(path, with: Data(text.utf8), mode: 0o644)
    }

    /// The last-success timestamp in an existing metrics file (the first sample of
    /// `swarmsafe_backup_last_success_timestamp_seconds`); nil when the file or the sample is
    /// missing or unreadable.
    public static func readLastSuccess(from path: String) -> Double? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) {
            guard line.hasPrefix(lastSuccessMetric) else { continue }
            let rest = line.dropFirst(lastSuccessMetric.count)
            guard let first = rest.first, first == " " || first == "{" else { continue }
            // The value follows the label set (whose values may hold spaces): after the last '}'.
            let afterLabels = first == "{" ? rest[(rest.lastIndex(of: "}").map { rest.index(after: $0) } ?? rest.endIndex)...] : rest
            let fields = afterLabels.split(separator: " ", omittingEmptySubsequences: true)
            guard let valueText = fields.first, let value = Double(valueText), value.isFinite, value >= 0 else {
                continue
            }
            return value
        }
        return nil
    }

    /// `{a="x",b="y"}`, or nothing without labels.
    static func labelSet(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// A label value escaped as the exposition format requires: `\` as `\\`, `"` as `\"`,
    /// newline as `\n`.
    public static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Seconds with millisecond precision, never in exponent notation: `1795448701.123`.
    static func seconds(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
        let milliseconds = Int64((value * 1000).rounded())
        let sign = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        let fraction = String(magnitude % 1000)
        return sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
