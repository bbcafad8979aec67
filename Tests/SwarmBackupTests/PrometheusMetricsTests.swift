import Foundation
import SwarmBackup
import Testing

@Suite struct PrometheusMetricsTests {
    static let start = Date(timeIntervalSince1970: 1_795_448_701)

    static let success = BackupMetrics(
        result: .success, startTime: start, duration: 12.5, archiveBytes: 123_456, raftIndex: 9_007_199_254_740_993,
        raftTerm: 7, objectCounts: ["services": 3, "secrets": 2, "nodes": 0], clusterID: "3vm3p9d3ttcn1gjqdfyq0wl5l",
        nodeID: "6fk2hm9ow8xdbvkt8mudkhq0v")

    static func failure() -> BackupMetrics {
        BackupMetrics(result: .failure, startTime: start.addingTimeInterval(86400), duration: 0.25, clusterID: "c", nodeID: "n")
    }

    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: String
    }

    /// Parses exposition text strictly: HELP/TYPE comments, and `name{labels} value` samples
    /// with escaped label values. Records an issue for any other line.
    static func parse(_ text: String) throws -> (samples: [Sample], types: [String: String], helps: Set<String>) {
        #expect(text.hasSuffix("\n"))
        let sampleLine = try Regex(#"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$"#)
        let labelPair = try Regex(#"([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)"#)
        var samples: [Sample] = [], types: [String: String] = [:], helps = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") {
                let parts = line.split(separator: " ", maxSplits: 3)
                #expect(parts.count == 4, "\(line)")
                helps.insert(String(parts[2]))
                continue
            }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                #expect(parts.count == 4, "\(line)")
                types[String(parts[2])] = String(parts[3])
                continue
            }
            let match = try #require(try sampleLine.wholeMatch(in: String(line)), "not a sample line: \(line)")
            let name = String(match.output[1].substring!)
            let value = String(match.output[4].substring!)
            #expect(Double(value) != nil, "\(line)")
            var labels: [String: String] = [:]
            if let labelText = match.output[3].substring.map(String.init) {
                var consumed = 0
                for pair in labelText.matches(of: labelPair) {
                    let raw = String(pair.output[2].substring!)
                    labels[String(pair.output[1].substring!)] = raw
                        .replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\"", with: "\"")
                        .replacingOccurrences(of: "\\\\", with: "\\")
                    consumed += pair.output[0].substring!.count
                }
                #expect(consumed == labelText.count, "bad labels: \(line)")
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        return (samples, types, helps)
    }

    static func value(_ samples: [Sample], _ name: String, kind: String? = nil) -> String? {
        samples.first { $0.name == name && $0.labels["kind"] == kind }?.value
    }

    @Test func successRendersEveryMetricAsAParsableGauge() throws {
        let text = PrometheusTextfile.render(Self.success, previousLastSuccess: 1.0)
        let (samples, types, helps) = try Self.parse(text)
        let end = "1795448713.500"
        #expect(Self.value(samples, "swarmsafe_backup_last_run_timestamp_seconds") == end)
        #expect(Self.value(samples, "swarmsafe_backup_last_success_timestamp_seconds") == end)
        #expect(Self.value(samples, "swarmsafe_backup_success") == "1")
        #expect(Self.value(samples, "swarmsafe_backup_duration_seconds") == "12.500")
        #expect(Self.value(samples, "swarmsafe_backup_archive_bytes") == "123456")
        #expect(Self.value(samples, "swarmsafe_backup_raft_index") == "9007199254740993")
        #expect(Self.value(samples, "swarmsafe_backup_raft_term") == "7")
        #expect(Self.value(samples, "swarmsafe_backup_objects", kind: "services") == "3")
        #expect(Self.value(samples, "swarmsafe_backup_objects", kind: "secrets") == "2")
        #expect(Self.value(samples, "swarmsafe_backup_objects", kind: "nodes") == "0")
        #expect(samples.count == 10)
        for sample in samples {
            #expect(sample.labels["cluster_id"] == "3vm3p9d3ttcn1gjqdfyq0wl5l", "\(sample)")
            #expect(sample.labels["node_id"] == "6fk2hm9ow8xdbvkt8mudkhq0v", "\(sample)")
            #expect(types[sample.name] == "gauge", "\(sample.name)")
            #expect(helps.contains(sample.name), "\(sample.name)")
        }
        // Each family's HELP and TYPE come once, before its samples.
        #expect(Set(types.keys) == Set(samples.map(\.name)))
        #expect(text.components(separatedBy: "# TYPE swarmsafe_backup_objects gauge").count == 2)
        let typeLine = try #require(text.range(of: "# TYPE swarmsafe_backup_objects gauge"))
        let firstSample = try #require(text.range(of: "\nswarmsafe_backup_objects{"))
        #expect(typeLine.upperBound <= firstSample.lowerBound)
    }

    @Test func failureCarriesTheLastSuccessOver() throws {
        let failed = PrometheusTextfile.render(Self.failure(), previousLastSuccess: 1_795_448_713.5)
        let (samples, _, _) = try Self.parse(failed)
        #expect(Self.value(samples, "swarmsafe_backup_success") == "0")
        #expect(Self.value(samples, "swarmsafe_backup_last_success_timestamp_seconds") == "1795448713.500")
        #expect(Self.value(samples, "swarmsafe_backup_last_run_timestamp_seconds") == "1795535101.250")
        // Nothing known is not invented.
        #expect(Self.value(samples, "swarmsafe_backup_archive_bytes") == nil)
        #expect(Self.value(samples, "swarmsafe_backup_raft_index") == nil)
        #expect(!failed.contains("swarmsafe_backup_objects"))

        let neverSucceeded = PrometheusTextfile.render(Self.failure(), previousLastSuccess: nil)
        #expect(!neverSucceeded.contains("swarmsafe_backup_last_success_timestamp_seconds"))
        #expect(try Self.parse(neverSucceeded).samples.count == 3)
    }

    @Test func labelValuesAreEscaped() throws {
        var metrics = Self.failure()
        metrics.clusterID = "a\"b\\c\nd"
        metrics.nodeID = nil
        metrics.objectCounts = ["we\"ird": 1]
        let text = PrometheusTextfile.render(metrics, previousLastSuccess: nil)
        #expect(text.contains(#"cluster_id="a\"b\\c\nd""#))
        let (samples, _, _) = try Self.parse(text)
        for sample in samples {
            #expect(sample.labels["cluster_id"] == "a\"b\\c\nd")
            #expect(sample.labels["node_id"] == nil)
        }
        #expect(Self.value(samples, "swarmsafe_backup_objects", kind: "we\"ird") == "1")
        #expect(PrometheusTextfile.escapeLabelValue("x\\\"\n") == #"x\\\"\n"#)
    }

    @Test func writeIsAtomicAndCarriesTheLastSuccessFromTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-metrics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/swarmsafe.prom"

        try PrometheusTextfile.write(Self.success, to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["swarmsafe.prom"])
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written == PrometheusTextfile.render(Self.success, previousLastSuccess: nil))
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
        #expect(mode == 0o644)
        #expect(PrometheusTextfile.readLastSuccess(from: path) == 1_795_448_713.5)

        // A failure replaces the file but keeps the last good time.
        try PrometheusTextfile.write(Self.failure(), to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["swarmsafe.prom"])
        let (samples, _, _) = try Self.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(Self.value(samples, "swarmsafe_backup_success") == "0")
        #expect(Self.value(samples, "swarmsafe_backup_last_success_timestamp_seconds") == "1795448713.500")
        // ...and again after a second failure.
        try PrometheusTextfile.write(Self.failure(), to: path)
        #expect(PrometheusTextfile.readLastSuccess(from: path) == 1_795_448_713.5)

        // Into a directory that does not exist: an error, and nothing left behind.
        #expect(throws: (any Error).self) { try PrometheusTextfile.write(Self.success, to: directory + "/missing/x.prom") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["swarmsafe.prom"])
    }

    @Test func writeReplacesAStaleTemporaryFileAndAFileItCannotRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-metrics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/swarmsafe.prom"
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: "\(path).swarmsafe-new-\(getpid())"))
        try Data("not metrics at all\n".utf8).write(to: URL(fileURLWithPath: path))
        try PrometheusTextfile.write(Self.failure(), to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["swarmsafe.prom"])
        #expect(PrometheusTextfile.readLastSuccess(from: path) == nil)
    }

    @Test func readsTheLastSuccessWithOrWithoutLabels() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-metrics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/m.prom"
        for (text, expected) in [
            ("swarmsafe_backup_last_success_timestamp_seconds 42.5\n", 42.5),
            ("# HELP x\nswarmsafe_backup_last_success_timestamp_seconds{cluster_id=\"a b}\",node_id=\"n\"} 1e3\n", 1000),
            ("swarmsafe_backup_last_success_timestamp_seconds_other 5\n", nil),
            ("swarmsafe_backup_last_success_timestamp_seconds NaN\n", nil),
            ("", nil),
        ] as [(String, Double?)] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect(PrometheusTextfile.readLastSuccess(from: path) == expected, "\(text)")
        }
        #expect(PrometheusTextfile.readLastSuccess(from: directory + "/missing.prom") == nil)
    }
}
